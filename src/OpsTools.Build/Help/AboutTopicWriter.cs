using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace OpsTools.Build.Help;

/// <summary>
/// Renders an about_ page as the plain text Get-Help shows for conceptual topics: headings in
/// upper case at the margin, body indented and wrapped to 80 columns, code kept as written.
/// </summary>
internal static class AboutTopicWriter
{
    public const int Width = 80;
    private const string BodyIndent = "    ";
    private const string CodeIndent = "        ";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public static string Render(string topicName, string markdown)
    {
        MarkdownDocument document = Markdown.Parse(markdown, Pipeline);
        var output = new StringBuilder();
        bool wroteTopic = false;
        bool afterHeading = false;
        foreach (Block block in document)
        {
            switch (block)
            {
                case YamlFrontMatterBlock:
                    break;
                case HeadingBlock heading:
                    string text = MarkdownText.Inlines(heading.Inline);
                    if (string.Equals(text, topicName, StringComparison.OrdinalIgnoreCase))
                    {
                        // platyPS's template repeats the topic name as "# about_X" and "## about_X".
                        if (!wroteTopic)
                        {
                            AppendBlock(output, "TOPIC\n" + BodyIndent + topicName, afterHeading: false);
                            wroteTopic = true;
                        }
                    }
                    else
                    {
                        AppendBlock(output, (heading.Level <= 2 ? string.Empty : BodyIndent) + text.ToUpperInvariant(), afterHeading: false);
                        afterHeading = true;
                        continue;
                    }

                    break;
                case CodeBlock code:
                    AppendBlock(output, string.Join("\n", MarkdownText.Code(code).Split('\n').Select(l => l.Length == 0 ? l : CodeIndent + l)), afterHeading);
                    break;
                case ListBlock list:
                    // A tight list stays tight; a loose one keeps a blank line between items.
                    string separator = list.IsLoose ? "\n\n" : "\n";
                    AppendBlock(output, string.Join(separator, MarkdownText.Paragraphs([list]).Select(p => Wrap(p, BodyIndent))), afterHeading);
                    break;
                default:
                    foreach (string paragraph in MarkdownText.Paragraphs([block]))
                    {
                        AppendBlock(output, Wrap(paragraph, BodyIndent), afterHeading);
                        afterHeading = false;
                    }

                    break;
            }

            afterHeading = false;
        }

        return output.ToString();
    }

    /// <summary>
    /// Wraps text to <see cref="Width"/> columns after the indent. Hard line breaks are kept; a
    /// list item's continuation lines hang under its text.
    /// </summary>
    public static string Wrap(string text, string indent)
    {
        var lines = new List<string>();
        foreach (string sourceLine in text.Split('\n'))
        {
            string hanging = indent + new string(' ', ListMarkerLength(sourceLine));
            var line = new StringBuilder(indent);
            int leading = sourceLine.Length - sourceLine.TrimStart(' ').Length;
            line.Append(' ', leading);
            int emptyLength = line.Length;
            foreach (string word in sourceLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > emptyLength && line.Length + 1 + word.Length > Width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(hanging);
                    emptyLength = line.Length;
                }

                if (line.Length > emptyLength)
                {
                    line.Append(' ');
                }

                line.Append(word);
            }

            lines.Add(line.ToString().TrimEnd());
        }

        return string.Join("\n", lines);
    }

    private static int ListMarkerLength(string line)
    {
        string trimmed = line.TrimStart(' ');
        int leading = line.Length - trimmed.Length;
        if (trimmed.StartsWith("- ", StringComparison.Ordinal))
        {
            return leading + 2;
        }

        int digits = trimmed.TakeWhile(char.IsAsciiDigit).Count();
        return digits > 0 && trimmed.Length > digits + 1 && trimmed[digits] is '.' or ')' && trimmed[digits + 1] == ' '
            ? leading + digits + 2
            : leading;
    }

    // Blocks are separated by a blank line, except that a heading's text starts right under it.
    private static void AppendBlock(StringBuilder output, string text, bool afterHeading)
    {
        if (output.Length > 0 && !afterHeading)
        {
            output.Append('\n');
        }

        output.Append(text).Append('\n');
    }
}
