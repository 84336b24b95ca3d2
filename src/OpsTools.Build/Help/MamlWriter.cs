using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OpsTools.Build.Cmdlets;

namespace OpsTools.Build.Help;

/// <summary>
/// Writes the MAML file Get-Help reads for a binary module (en-US/&lt;assembly&gt;-Help.xml), in
/// the shape platyPS's New-ExternalHelp emits. Structure (syntax, parameter attributes, types)
/// comes from the cmdlet; the words come from the page.
/// </summary>
internal static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private const string WhatIfDescription = "Shows what would happen if the cmdlet runs. The cmdlet is not run.";
    private const string ConfirmDescription = "Prompts you for confirmation before running the cmdlet.";

    public static XDocument Build(IEnumerable<(CmdletDefinition Cmdlet, HelpPage Page)> commands) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(c => CommandElement(c.Cmdlet, c.Page))));

    public static void Save(XDocument document, string path)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
        };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using XmlWriter writer = XmlWriter.Create(path, settings);
        document.Save(writer);
    }

    private static XElement CommandElement(CmdletDefinition cmdlet, HelpPage page)
    {
        Dictionary<string, HelpParameter> documented = page.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        return new XElement(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(
                Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(page.Synopsis)),
            Description(page.Description),
            new XElement(
                Command + "syntax",
                cmdlet.GetParameterSetNames().Select(set => new XElement(
                    Command + "syntaxItem",
                    new XElement(Maml + "name", cmdlet.Name),
                    cmdlet.GetSyntax(set).Select(m => SyntaxParameter(m.Parameter, m.Entry, documented.GetValueOrDefault(m.Parameter.Name)))))),
            new XElement(
                Command + "parameters",
                ParameterOrder(cmdlet, page).Select(p => Parameter(p, documented.GetValueOrDefault(p.Name)))),
            TypeList("inputTypes", "inputType", page.Inputs),
            TypeList("returnValues", "returnValue", ReturnValues(cmdlet, page)),
            page.Notes.Count == 0 ? null : new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select((e, i) => Example(e, i, isLast: i == page.Examples.Count - 1))),
            new XElement(Command + "relatedLinks", RelatedLinks(page).Select(NavigationLink)));
    }

    // Parameters in the order the page documents them; any it does not (WhatIf, Confirm) after.
    private static IEnumerable<CmdletParameter> ParameterOrder(CmdletDefinition cmdlet, HelpPage page)
    {
        var pageOrder = page.Parameters.Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.OrdinalIgnoreCase);
        return cmdlet.Parameters
            .Select((p, i) => (Parameter: p, Order: pageOrder.TryGetValue(p.Name, out int o) ? o : pageOrder.Count + i))
            .OrderBy(x => x.Order)
            .Select(x => x.Parameter);
    }

    private static XElement SyntaxParameter(CmdletParameter parameter, ParameterSetEntry entry, HelpParameter? help)
    {
        object? value = parameter.IsSwitch
            ? null
            : parameter.ValidValues.Count > 0
                ? new XElement(
                    Command + "parameterValueGroup",
                    parameter.ValidValues.Select(v => new XElement(
                        Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute("variableLength", "false"),
                        v)))
                : ParameterValue(parameter, required: true);
        return new XElement(
            Command + "parameter",
            ParameterAttributes(
                parameter,
                entry.Mandatory,
                entry.Position,
                PipelineInput(entry.ValueFromPipeline, entry.ValueFromPipelineByPropertyName)),
            new XElement(Maml + "name", parameter.Name),
            Description(ParameterDescription(parameter, help)),
            value,
            ParameterType(parameter),
            DefaultValue(parameter, help));
    }

    private static XElement Parameter(CmdletParameter parameter, HelpParameter? help) =>
        new(
            Command + "parameter",
            ParameterAttributes(
                parameter,
                parameter.IsAlwaysMandatory,
                parameter.Position,
                PipelineInput(parameter.AcceptsPipelineByValue, parameter.AcceptsPipelineByPropertyName)),
            new XElement(Maml + "name", parameter.Name),
            Description(ParameterDescription(parameter, help)),
            ParameterValue(parameter, required: !parameter.IsSwitch),
            ParameterType(parameter),
            DefaultValue(parameter, help));

    private static IEnumerable<XAttribute> ParameterAttributes(CmdletParameter parameter, bool required, int? position, string pipelineInput) =>
    [
        new("required", required ? "true" : "false"),
        new("variableLength", parameter.IsArray ? "true" : "false"),
        new("globbing", parameter.SupportsWildcards ? "true" : "false"),
        new("pipelineInput", pipelineInput),
        new("position", position is int p ? p.ToString(CultureInfo.InvariantCulture) : "named"),
        new("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases)),
    ];

    private static XElement ParameterValue(CmdletParameter parameter, bool required) =>
        new(
            Command + "parameterValue",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", parameter.IsArray ? "true" : "false"),
            parameter.TypeName);

    private static XElement ParameterType(CmdletParameter parameter) =>
        new(Dev + "type", new XElement(Maml + "name", parameter.TypeName), new XElement(Maml + "uri"));

    private static XElement DefaultValue(CmdletParameter parameter, HelpParameter? help) =>
        new(Dev + "defaultValue", help?.DefaultValue ?? (parameter.IsSwitch ? "False" : "None"));

    private static IReadOnlyList<string> ParameterDescription(CmdletParameter parameter, HelpParameter? help)
    {
        if (help is { Description.Count: > 0 })
        {
            return help.Description;
        }

        return parameter.Name switch
        {
            "WhatIf" when parameter.IsShouldProcessParameter => [WhatIfDescription],
            "Confirm" when parameter.IsShouldProcessParameter => [ConfirmDescription],
            _ => parameter.HelpMessage is string message ? [message] : [],
        };
    }

    private static string PipelineInput(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    // The page's OUTPUTS when it names any; otherwise the cmdlet's [OutputType] declarations.
    private static IReadOnlyList<HelpTypeEntry> ReturnValues(CmdletDefinition cmdlet, HelpPage page) =>
        page.Outputs.Count > 0 ? page.Outputs : cmdlet.OutputTypes.Select(t => new HelpTypeEntry(t, [])).ToList();

    private static XElement? TypeList(string listName, string itemName, IReadOnlyList<HelpTypeEntry> entries) =>
        entries.Count == 0
            ? null
            : new XElement(
                Command + listName,
                entries.Select(e => new XElement(
                    Command + itemName,
                    new XElement(Dev + "type", new XElement(Maml + "name", e.TypeName)),
                    Description(e.Description))));

    private static XElement Example(HelpExample example, int index, bool isLast)
    {
        string title = example.Title.Length > 0 ? example.Title : string.Create(CultureInfo.InvariantCulture, $"Example {index + 1}");
        return new XElement(
            Command + "example",
            new XElement(Maml + "title", $"-------- {title} --------"),
            new XElement(Dev + "code", example.Code),
            new XElement(
                Dev + "remarks",
                Paras(example.Remarks),
                // Get-Help prints the next example's title right under the remarks without it.
                isLast ? null : new XElement(Maml + "para")));
    }

    // platyPS puts the front matter's online version first: Get-Help -Online opens it.
    private static IEnumerable<HelpLink> RelatedLinks(HelpPage page)
    {
        if (page.OnlineVersion is not null && !page.RelatedLinks.Any(l => string.Equals(l.Uri, page.OnlineVersion, StringComparison.Ordinal)))
        {
            yield return new HelpLink("Online Version:", page.OnlineVersion);
        }

        foreach (HelpLink link in page.RelatedLinks)
        {
            yield return link;
        }
    }

    private static XElement NavigationLink(HelpLink link) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", link.Text), new XElement(Maml + "uri", link.Uri ?? string.Empty));

    private static XElement Description(IReadOnlyList<string> paragraphs) => new(Maml + "description", Paras(paragraphs));

    private static IEnumerable<XElement> Paras(IReadOnlyList<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));
}
