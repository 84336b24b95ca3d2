using System.Collections.Generic;

namespace OpsTools.Build.Help;

/// <summary>One cmdlet's help page (docs/en-US/Verb-Noun.md) as read from its markdown.</summary>
internal sealed class HelpPage
{
    public required string Path { get; init; }

    /// <summary>The page's file name without extension, which names the cmdlet.</summary>
    public required string Name { get; init; }

    /// <summary>The "# Verb-Noun" heading's location, or the file's start when it has none.</summary>
    public required SourceLocation TitleLocation { get; init; }

    /// <summary>The "online version" of the YAML front matter, when it is an absolute URI.</summary>
    public string? OnlineVersion { get; init; }

    public IReadOnlyList<string> Synopsis { get; init; } = [];

    public IReadOnlyList<string> Description { get; init; } = [];

    public IReadOnlyList<HelpExample> Examples { get; init; } = [];

    /// <summary>The "## EXAMPLES" heading, when present.</summary>
    public SourceLocation? ExamplesLocation { get; init; }

    public IReadOnlyList<HelpParameter> Parameters { get; init; } = [];

    /// <summary>The "## PARAMETERS" heading, when present.</summary>
    public SourceLocation? ParametersLocation { get; init; }

    public IReadOnlyList<HelpTypeEntry> Inputs { get; init; } = [];

    public IReadOnlyList<HelpTypeEntry> Outputs { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    public IReadOnlyList<HelpLink> RelatedLinks { get; init; } = [];
}

/// <summary>An "### Example N: title" subsection.</summary>
internal sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks, SourceLocation Location);

/// <summary>A "### -Name" subsection: its description and the default value from its yaml block.</summary>
internal sealed record HelpParameter(string Name, IReadOnlyList<string> Description, string? DefaultValue, SourceLocation Location);

/// <summary>An "### TypeName" entry of INPUTS or OUTPUTS.</summary>
internal sealed record HelpTypeEntry(string TypeName, IReadOnlyList<string> Description);

/// <summary>A RELATED LINKS entry; <see cref="Uri"/> is null for links to other pages of the docs.</summary>
internal sealed record HelpLink(string Text, string? Uri);
