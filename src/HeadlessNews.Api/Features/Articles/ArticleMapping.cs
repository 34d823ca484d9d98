using HeadlessNews.Api.Features.Quotes;
using Mapster;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>Entity → DTO mappings that are not name-for-name (the rest Mapster infers).</summary>
public sealed class ArticleMapping : IRegister
{
    public void Register(TypeAdapterConfig config) =>
        config.NewConfig<Quote, QuoteResponse>()
            .Map(d => d.Speaker, q => new Speaker(q.SpeakerName, q.SpeakerRole, q.SpeakerOrganisation));
}
