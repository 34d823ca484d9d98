using FluentValidation;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Webhooks;

public sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator(WebhookTargets targets)
    {
        RuleFor(r => r.Url).WebhookUrl(targets);
        RuleFor(r => r.Events).WebhookEvents();
        RuleFor(r => r.Description).MaximumLength(500);
    }
}

public sealed class UpdateWebhookRequestValidator : AbstractValidator<UpdateWebhookRequest>
{
    public UpdateWebhookRequestValidator(WebhookTargets targets)
    {
        RuleFor(r => r.Url).WebhookUrl(targets);
        RuleFor(r => r.Events).WebhookEvents();
        RuleFor(r => r.Description).MaximumLength(500);
    }
}

internal static class WebhookRules
{
    public static void WebhookUrl<T>(this IRuleBuilderInitial<T, string> rule, WebhookTargets targets) => rule
        .Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(2000)
        .CustomAsync(async (url, context, cancellationToken) =>
        {
            if (await targets.CheckUrlAsync(url, cancellationToken) is { } problem)
            {
                context.AddFailure(problem.Detail);
            }
        });

    public static void WebhookEvents<T>(this IRuleBuilder<T, string[]> rule) => rule
        .NotEmpty().WithMessage("Subscribe to at least one event type.")
        .ForEach(type => type.Must(ContentEventTypes.All.Contains)
            .WithMessage($"Unknown event type; use one of {string.Join(", ", ContentEventTypes.All)}."));
}
