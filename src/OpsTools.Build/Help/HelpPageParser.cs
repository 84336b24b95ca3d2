using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace OpsTools.Build.Help;

/// <summary>
/// Reads a platyPS-layout cmdlet page by walking Markdig's syntax tree: "# Verb-Noun", then
/// "## SECTION" headings, with "### " subsections for examples, parameters, inputs and outputs.
/// </summary>
internal static class HelpPageParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePreciseSourceLocation()
        .Build();

    public static HelpPage ParseFile(string path, List<Diagnostic> diagnostics) =>
        Parse(path, File.ReadAllText(path), diagnostics);

    public static HelpPage Parse(string path, string markdown, List<Diagnostic> diagnostics)
    {
        MarkdownDocument document = Markdown.Parse(markdown, Pipeline);
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        var fileStart = new SourceLocation(path, 1, 1);

        HeadingBlock? title = document.OfType<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
        if (title is null)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedPage, $"The page has no '# {name}' title heading.", fileStart));
        }
        else if (!string.Equals(MarkdownText.Inlines(title.Inline), name, StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.MalformedPage,
                $"The title '{MarkdownText.Inlines(title.Inline)}' does not match the file name '{name}'.",
                Locate(path, title)));
        }

        Dictionary<string, Section> sections = SplitSections(path, document, diagnostics);
        Section? examples = sections.GetValueOrDefault("EXAMPLES");
        Section? parameters = sections.GetValueOrDefault("PARAMETERS");
        return new HelpPage
        {
            Path = path,
            Name = name,
            TitleLocation = title is null ? fileStart : Locate(path, title),
            OnlineVersion = MarkdownText.AbsoluteUri(FrontMatterValue(document, "online version")),
            Synopsis = Paragraphs(sections, "SYNOPSIS"),
            Description = Paragraphs(sections, "DESCRIPTION"),
            Examples = examples is null ? [] : ReadExamples(path, examples, diagnostics),
            ExamplesLocation = examples is null ? null : Locate(path, examples.Heading),
            Parameters = parameters is null ? [] : ReadParameters(path, parameters, diagnostics),
            ParametersLocation = parameters is null ? null : Locate(path, parameters.Heading),
            Inputs = ReadTypeEntries(sections.GetValueOrDefault("INPUTS")),
            Outputs = ReadTypeEntries(sections.GetValueOrDefault("OUTPUTS")),
            Notes = Paragraphs(sections, "NOTES"),
            RelatedLinks = ReadLinks(sections.GetValueOrDefault("RELATED LINKS")),
        };
    }

    /// <summary>The value of a "key: value" line of the YAML front matter, if any.</summary>
    internal static string? FrontMatterValue(MarkdownDocument document, string key)
    {
        YamlFrontMatterBlock? frontMatter = document.OfType<YamlFrontMatterBlock>().FirstOrDefault();
        if (frontMatter is null)
        {
            return null;
        }

        foreach (string line in frontMatter.Lines.ToString().Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && string.Equals(line[..colon].Trim(), key, StringComparison.OrdinalIgnoreCase))
            {
                string value = line[(colon + 1)..].Trim().Trim('\'', '"');
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }

    private static Dictionary<string, Section> SplitSections(string path, MarkdownDocument document, List<Diagnostic> diagnostics)
    {
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        foreach (Section section in Split(document, level: 2))
        {
            string key = MarkdownText.Inlines(section.Heading.Inline).ToUpperInvariant();
            if (!sections.TryAdd(key, section))
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.MalformedPage, $"The section '## {key}' appears more than once.", Locate(path, section.Heading)));
            }
        }

        return sections;
    }

    /// <summary>
    /// Cuts blocks at headings of the given level; a heading of a higher level (fewer #) ends the
    /// current section. Blocks before the first such heading belong to no section.
    /// </summary>
    private static List<Section> Split(IEnumerable<Block> blocks, int level)
    {
        var sections = new List<Section>();
        Section? current = null;
        foreach (Block block in blocks)
        {
            if (block is HeadingBlock heading && heading.Level <= level)
            {
                current = heading.Level == level ? new Section(heading, []) : null;
                if (current is not null)
                {
                    sections.Add(current);
                }
            }
            else
            {
                current?.Blocks.Add(block);
            }
        }

        return sections;
    }

    private static List<string> Paragraphs(Dictionary<string, Section> sections, string key) =>
        sections.TryGetValue(key, out Section? section) ? MarkdownText.Paragraphs(section.Blocks) : [];

    private static List<HelpExample> ReadExamples(string path, Section section, List<Diagnostic> diagnostics)
    {
        var examples = new List<HelpExample>();
        foreach (Section example in Split(section.Blocks, level: 3))
        {
            string title = MarkdownText.Inlines(example.Heading.Inline);
            string code = string.Join("\n\n", example.Blocks.OfType<FencedCodeBlock>().Select(MarkdownText.Code).Where(c => c.Length > 0));
            if (code.Length == 0)
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.MalformedPage,
                    $"The example '{title}' has no code: put the command in a ```powershell fenced block.",
                    Locate(path, example.Heading)));
            }

            // Text before and after the code both explain it; Get-Help shows remarks after the code.
            List<string> remarks = MarkdownText.Paragraphs(example.Blocks.Where(b => b is not FencedCodeBlock));
            examples.Add(new HelpExample(title, code, remarks, Locate(path, example.Heading)));
        }

        return examples;
    }

    private static List<HelpParameter> ReadParameters(string path, Section section, List<Diagnostic> diagnostics)
    {
        var parameters = new List<HelpParameter>();
        foreach (Section subsection in Split(section.Blocks, level: 3))
        {
            string heading = MarkdownText.Inlines(subsection.Heading.Inline);
            if (string.Equals(heading, "CommonParameters", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            SourceLocation location = Locate(path, subsection.Heading);
            string name = heading.TrimStart('-').Trim();
            if (!heading.StartsWith('-') || name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.MalformedPage, $"The parameter heading '### {heading}' should be '### -ParameterName'.", location));
                continue;
            }

            if (parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.MalformedPage, $"The parameter '-{name}' is documented more than once.", location));
                continue;
            }

            // platyPS writes one yaml block per parameter set when they differ; the first gives the default.
            List<FencedCodeBlock> yaml = subsection.Blocks.OfType<FencedCodeBlock>()
                .Where(b => string.Equals(b.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                .ToList();
            List<string> description = MarkdownText.Paragraphs(subsection.Blocks.Where(b => b is not FencedCodeBlock f || !yaml.Contains(f)));
            parameters.Add(new HelpParameter(name, description, yaml.Count == 0 ? null : DefaultValue(yaml[0]), location));
        }

        return parameters;
    }

    // From platyPS's metadata block only the default value is taken: the rest is reflected from
    // the cmdlet. "Default value" is platyPS 0.x's key, "DefaultValue" that of PlatyPS 1.x.
    private static string? DefaultValue(FencedCodeBlock yaml)
    {
        foreach (string line in MarkdownText.Code(yaml).Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string key = colon > 0 ? line[..colon].Trim() : string.Empty;
            if (key.Equals("Default value", StringComparison.OrdinalIgnoreCase) || key.Equals("DefaultValue", StringComparison.OrdinalIgnoreCase))
            {
                string value = line[(colon + 1)..].Trim();
                return value.Length > 0 && !MarkdownText.IsPlaceholder(value) ? value : null;
            }
        }

        return null;
    }

    private static List<HelpTypeEntry> ReadTypeEntries(Section? section) =>
        section is null
            ? []
            : Split(section.Blocks, level: 3)
                .Select(s => new HelpTypeEntry(MarkdownText.Inlines(s.Heading.Inline), MarkdownText.Paragraphs(s.Blocks)))
                .Where(e => e.TypeName.Length > 0 && !MarkdownText.IsPlaceholder(e.TypeName))
                .ToList();

    private static List<HelpLink> ReadLinks(Section? section)
    {
        var links = new List<HelpLink>();
        if (section is null)
        {
            return links;
        }

        foreach (LeafBlock block in section.Blocks.SelectMany(b => b.Descendants<LeafBlock>().Prepend(b as LeafBlock)).OfType<LeafBlock>())
        {
            foreach (Inline inline in block.Inline?.Descendants<Inline>() ?? [])
            {
                HelpLink? link = inline switch
                {
                    LinkInline { IsImage: false } l => new HelpLink(MarkdownText.Inlines(l), MarkdownText.AbsoluteUri(l.Url)),
                    AutolinkInline a => new HelpLink(a.Url, a.Url),
                    _ => null,
                };
                if (link is not null && (link.Text.Length > 0 || link.Uri is not null))
                {
                    links.Add(link);
                }
            }
        }

        return links;
    }

    private static SourceLocation Locate(string path, Block block) => new(path, block.Line + 1, block.Column + 1);

    private sealed record Section(HeadingBlock Heading, List<Block> Blocks);
}
