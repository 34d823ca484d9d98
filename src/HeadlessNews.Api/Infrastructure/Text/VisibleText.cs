using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using FluentValidation;

namespace HeadlessNews.Api.Infrastructure.Text;

/// <summary>
/// Whether required text shows anything. Text made only of white space and format characters (Unicode category Cf: the
/// zero-width space U+200B, the joiners U+200C and U+200D, the word joiner U+2060, the byte order mark U+FEFF, direction
/// marks…) shows nothing: a headline of them is as empty as one of spaces, and lists, feeds and sitemaps would show it blank.
/// </summary>
public static class VisibleText
{
    public const string EmptyMessage = "'{PropertyName}' must not be empty.";

    public static bool IsBlank([NotNullWhen(false)] string? text)
    {
        if (text is null)
        {
            return true;
        }
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) != UnicodeCategory.Format)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Required text, refused like an empty one when it shows nothing. FluentValidation's <c>NotEmpty</c> stays first (the
    /// OpenAPI document reads it as "required"); it takes a zero-width space for text, which the second rule refuses, silent
    /// where <c>NotEmpty</c> already spoke so a field gets one message.
    /// </summary>
    public static IRuleBuilderOptions<T, string?> NotBlank<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().Must(text => string.IsNullOrWhiteSpace(text) || !IsBlank(text)).WithMessage(EmptyMessage);
}
