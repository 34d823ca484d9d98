using System.Net;
using System.Net.Sockets;

namespace HeadlessNews.Api.Features.Webhooks;

/// <summary>
/// The SSRF guard: which URLs and IP addresses a webhook may be sent to. Checked when a webhook is saved and again
/// on the address actually connected to at delivery time, which also defeats DNS rebinding. Refusals name the address
/// only when the URL itself holds it: what a name resolves to inside the network is not the caller's to learn.
/// </summary>
public sealed class WebhookTargets(IOptionsMonitor<WebhookOptions> options)
{
    /// <summary>
    /// Never a target: the IANA special-purpose blocks that are not globally reachable, multicast, reserved space and
    /// cloud metadata endpoints. IPv6 outside global unicast (2000::/3) is refused as well, see <see cref="CheckAddress"/>.
    /// </summary>
    private static readonly (IPAddress Network, int PrefixLength)[] AlwaysRefused =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.0.2.0"), 24),
        (IPAddress.Parse("192.88.99.0"), 24),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("198.51.100.0"), 24),
        (IPAddress.Parse("203.0.113.0"), 24),
        (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
        (IPAddress.Parse("100.100.100.200"), 32),
        (IPAddress.Parse("168.63.129.16"), 32),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fd00:ec2::254"), 128),
        // IETF protocol assignments: Teredo (whose IPv4 part is obscured), benchmarking, ORCHID.
        (IPAddress.Parse("2001::"), 23),
        (IPAddress.Parse("2001:db8::"), 32),
        (IPAddress.Parse("3fff::"), 20),
        // Local-use NAT64: where its IPv4 part lies cannot be told from the address.
        (IPAddress.Parse("64:ff9b:1::"), 48),
    ];

    private static readonly (IPAddress Network, int PrefixLength)[] Private =
    [
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fec0::"), 10),
    ];

    private static readonly (IPAddress Network, int PrefixLength) GlobalUnicast = (IPAddress.Parse("2000::"), 3);

    /// <summary>IPv6 forms whose packets go to the IPv4 address they carry, and where that address starts.</summary>
    private static readonly ((IPAddress Network, int PrefixLength) Range, int IPv4Offset)[] CarryingIPv4 =
    [
        ((IPAddress.Parse("::ffff:0:0"), 96), 12),
        ((IPAddress.Parse("::ffff:0:0:0"), 96), 12),
        ((IPAddress.Parse("::"), 96), 12),
        ((IPAddress.Parse("64:ff9b::"), 96), 12),
        ((IPAddress.Parse("2002::"), 16), 2),
    ];

    /// <summary>Null when the URL's form is acceptable (absolute http(s) to a port that can be connected to, no credentials, nothing a URL must percent-encode), else why not.</summary>
    public static string? CheckForm(string url) =>
        url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "The url may not contain spaces or control characters; percent-encode them."
        : !Uri.TryCreate(url, UriKind.Absolute, out var uri) ? "The url must be an absolute http or https URL."
        : uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps ? "Only http and https URLs can be used."
        : uri.UserInfo.Length > 0 ? "The url may not carry credentials."
        : uri.Port == 0 ? "The url's port must be between 1 and 65535."
        : null;

    /// <summary>Null when <paramref name="address"/> may be connected to, else what kind of address it is (never the address itself).</summary>
    public string? CheckAddress(IPAddress address)
    {
        var judged = CarriedIPv4(address) ?? address;
        if (AlwaysRefused.Any(range => Contains(range, judged)))
        {
            return "a link-local, cloud metadata, multicast, documentation, benchmarking or other special-purpose address";
        }
        if (Private.Any(range => Contains(range, judged)))
        {
            return options.CurrentValue.AllowPrivateTargets ? null : "a loopback, private or shared (carrier-grade NAT) address";
        }
        return judged.AddressFamily == AddressFamily.InterNetworkV6 && !Contains(GlobalUnicast, judged)
            ? "an unspecified, multicast, reserved or other special-purpose address"
            : null;
    }

    /// <summary>Why <paramref name="address"/>, which <paramref name="host"/> is or resolves to, is refused: naming it only when the URL holds it.</summary>
    private static string Refusal(string host, bool literal, IPAddress address, string kind) =>
        !literal ? $"The host {host} resolves to {kind}; nothing is sent to or fetched from there."
        : CarriedIPv4(address) is { } carried ? $"{address} (carrying {carried}) is {kind}; nothing is sent to or fetched from there."
        : $"{address} is {kind}; nothing is sent to or fetched from there.";

    /// <summary>The IPv4 address an IPv6 one carries (IPv4-mapped, -translated or -compatible, NAT64, 6to4), so that the IPv4 rule judges it.</summary>
    private static IPAddress? CarriedIPv4(IPAddress address)
    {
        // :: and ::1 lie in the IPv4-compatible range but are the IPv6 unspecified and loopback addresses.
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback))
        {
            return null;
        }
        foreach (var (range, offset) in CarryingIPv4)
        {
            if (Contains(range, address))
            {
                return new IPAddress(address.GetAddressBytes().AsSpan(offset, 4));
            }
        }
        return null;
    }

    /// <summary>Why a URL is not fetched: <paramref name="Unresolved"/> when its host name found no address (no answer in 5 s, or none), rather than being refused.</summary>
    public sealed record UrlProblem(string Detail, bool Unresolved = false);

    private static UrlProblem DoesNotResolve(string host) => new($"The host {host} does not resolve.", Unresolved: true);

    /// <summary>Checks a URL before it is fetched (a webhook saved, a picture imported): its form, and every address its host resolves to now.</summary>
    public async Task<UrlProblem?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (CheckForm(url) is { } formProblem)
        {
            return new UrlProblem(formProblem);
        }
        var host = new Uri(url).IdnHost.Trim('[', ']');
        var literal = IPAddress.TryParse(host, out var parsed);
        IPAddress[] addresses;
        if (literal)
        {
            addresses = [parsed!];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return DoesNotResolve(host);
            }
        }
        if (addresses.Length == 0)
        {
            return DoesNotResolve(host);
        }
        return addresses.Select(address => CheckAddress(address) is { } kind ? new UrlProblem(Refusal(host, literal, address, kind)) : null)
            .FirstOrDefault(problem => problem is not null);
    }

    /// <summary>
    /// The delivery client's connect step: resolves the host and connects only to an allowed address,
    /// so what is checked is exactly what is connected to.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var host = endpoint.Host.Trim('[', ']');
        var literal = IPAddress.TryParse(host, out var parsed);
        var addresses = literal ? [parsed!] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (CheckAddress(address) is { } kind)
            {
                refusal ??= Refusal(host, literal, address, kind);
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (address != addresses[^1])
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new WebhookTargetRefusedException(refusal ?? DoesNotResolve(host).Detail);
    }

    private static bool Contains((IPAddress Network, int PrefixLength) range, IPAddress address)
    {
        if (range.Network.AddressFamily != address.AddressFamily)
        {
            return false;
        }
        var network = range.Network.GetAddressBytes();
        var candidate = address.GetAddressBytes();
        var bits = range.PrefixLength;
        for (var i = 0; i < network.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((network[i] & mask) != (candidate[i] & mask))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>A delivery was not attempted because the target resolved to a refused address.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
