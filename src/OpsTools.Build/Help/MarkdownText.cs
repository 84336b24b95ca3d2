using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace OpsTools.Build.Help;

/// <summary>
/// Renders markdown blocks as the plain-text paragraphs help shows: emphasis markers dropped,
/// inline code kept in backticks (the convention of PowerShell's own help), soft line breaks
/// joined so Get-Help can wrap to the console width.
/// </summary>
internal static class MarkdownText
{
    /// <summary>The text of an inline container, such as a heading or paragraph.</summary>
    public static string Inlines(ContainerInline? container)
    {
        var builder = new StringBuilder();
        Append(builder, container);
        return builder.ToString().Trim();
    }

    /// <summary>The paragraphs a sequence of blocks shows as, placeholders such as "{{ Fill X }}" left out.</summary>
    public static List<string> Paragraphs(IEnumerable<Block> blocks)
    {
        var paragraphs = new List<string>();
        foreach (Block block in blocks)
        {
            AddParagraphs(paragraphs, block);
        }

        return paragraphs.Where(p => p.Length > 0 && !IsPlaceholder(p)).ToList();
    }

    /// <summary>The code of a fenced or indented code block, without trailing blank lines.</summary>
    public static string Code(CodeBlock block) => block.Lines.ToString().TrimEnd();

    /// <summary>platyPS leaves "{{ Fill Name Description }}" where an author has not written yet.</summary>
    public static bool IsPlaceholder(string text)
    {
        string trimmed = text.Trim();
        return trimmed.StartsWith("{{", StringComparison.Ordinal) && trimmed.EndsWith("}}", StringComparison.Ordinal);
    }

    private static void AddParagraphs(List<string> paragraphs, Block block)
    {
        switch (block)
        {
            case YamlFrontMatterBlock or HtmlBlock or ThematicBreakBlock or LinkReferenceDefinitionGroup or LinkReferenceDefinition:
                break;
            case CodeBlock code:
                paragraphs.Add(Code(code));
                break;
            case ParagraphBlock paragraph:
                paragraphs.Add(Inlines(paragraph.Inline));
                break;
            case HeadingBlock heading:
                paragraphs.Add(Inlines(heading.Inline));
                break;
            case ListBlock list:
                AddListItems(paragraphs, list);
                break;
            case ContainerBlock container:
                foreach (Block child in container)
                {
                    AddParagraphs(paragraphs, child);
                }

                break;
            case LeafBlock leaf:
                paragraphs.Add(leaf.Lines.ToString().Trim());
                break;
        }
    }

    // One paragraph per item, "- " or "1. " first; an item's further blocks follow it indented.
    private static void AddListItems(List<string> paragraphs, ListBlock list)
    {
        int number = list.IsOrdered && int.TryParse(list.OrderedStart, NumberStyles.None, CultureInfo.InvariantCulture, out int start) ? start : 1;
        foreach (ListItemBlock item in list.OfType<ListItemBlock>())
        {
            string marker = list.IsOrdered ? string.Create(CultureInfo.InvariantCulture, $"{number++}{list.OrderedDelimiter} ") : "- ";
            List<string> itemParagraphs = Paragraphs(item);
            string indent = new(' ', marker.Length);
            string text = string.Join("\n", itemParagraphs.Select((p, i) => (i == 0 ? marker : indent) + p.Replace("\n", "\n" + indent, StringComparison.Ordinal)));
            paragraphs.Add(itemParagraphs.Count == 0 ? marker.TrimEnd() : text);
        }
    }

    private static void Append(StringBuilder builder, ContainerInline? container)
    {
        if (container is null)
        {
            return;
        }

        foreach (Inline inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    builder.Append(literal.Content.AsSpan());
                    break;
                case CodeInline code:
                    builder.Append('`').Append(code.Content).Append('`');
                    break;
                case LineBreakInline lineBreak:
                    builder.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case HtmlEntityInline entity:
                    builder.Append(entity.Transcoded.AsSpan());
                    break;
                case AutolinkInline autolink:
                    builder.Append(autolink.Url);
                    break;
                case LinkInline link:
                    AppendLink(builder, link);
                    break;
                case DelimiterInline delimiter:
                    builder.Append(delimiter.ToLiteral());
                    Append(builder, delimiter);
                    break;
                case ContainerInline nested:
                    Append(builder, nested);
                    break;
                case HtmlInline:
                    break;
                default:
                    builder.Append(inline.ToString());
                    break;
            }
        }
    }

    // In plain text a link shows as its text, followed by the address when it leads off the docs.
    private static void AppendLink(StringBuilder builder, LinkInline link)
    {
        int start = builder.Length;
        Append(builder, link);
        string text = builder.ToString(start, builder.Length - start);
        string? url = AbsoluteUri(link.Url);
        if (url is not null && !string.Equals(text.Trim(), url, StringComparison.Ordinal))
        {
            builder.Append(text.Length > 0 ? " (" + url + ")" : url);
        }
    }

    /// <summary>The URL when it is absolute (http, https, mailto...), null for relative links between pages.</summary>
    public static string? AbsoluteUri(string? url) =>
        !string.IsNullOrWhiteSpace(url) && Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) && !uri.IsFile ? url.Trim() : null;
}
