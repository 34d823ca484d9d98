using FluentValidation;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Validates every handler argument that has a registered FluentValidation validator, once, as an
/// endpoint filter on a route group. Failures become a 400 problem keyed by camelCase JSON paths.
/// </summary>
public static class RequestValidation
{
    /// <summary>
    /// Registers the project's validators, and has their messages name a field as the error's key does
    /// (<c>'sectionId' must not be empty.</c>, not FluentValidation's <c>'Section Id'</c>).
    /// </summary>
    public static IServiceCollection AddRequestValidators(this IServiceCollection services)
    {
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        return services.AddValidatorsFromAssemblyContaining<Program>(includeInternalTypes: true);
    }

    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var registry = factoryContext.ApplicationServices.GetRequiredService<IServiceProviderIsService>();
            var validated = factoryContext.MethodInfo.GetParameters()
                .Select((parameter, index) => (Index: index, Validator: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
                .Where(p => registry.IsService(p.Validator))
                .ToArray();
            if (validated.Length == 0)
            {
                return next;
            }
            return async invocation =>
            {
                foreach (var (index, validatorType) in validated)
                {
                    if (invocation.Arguments[index] is not { } argument)
                    {
                        return Problems.BadRequest("The request needs a JSON body.");
                    }
                    var validator = (IValidator)invocation.HttpContext.RequestServices.GetRequiredService(validatorType);
                    var result = await validator.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                    if (!result.IsValid)
                    {
                        return result.ToProblem();
                    }
                }
                return await next(invocation);
            };
        });

    /// <summary>The 400 for a failed validation, its errors keyed by JSON path.</summary>
    public static ProblemHttpResult ToProblem(this FluentValidation.Results.ValidationResult result) =>
        Problems.Validation(result.Errors
            .GroupBy(e => JsonPath(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

    /// <summary><c>Body[2].Level</c> becomes <c>body[2].level</c>.</summary>
    public static string JsonPath(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(segment => segment.Length == 0 ? segment : char.ToLowerInvariant(segment[0]) + segment[1..]));
}
