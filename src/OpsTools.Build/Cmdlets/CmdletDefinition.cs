using System;
using System.Collections.Generic;
using System.Linq;

namespace OpsTools.Build.Cmdlets;

/// <summary>A cmdlet as declared by its attributes: what help must describe.</summary>
internal sealed record CmdletDefinition(
    string Verb,
    string Noun,
    string TypeName,
    string? DefaultParameterSetName,
    bool SupportsShouldProcess,
    string ConfirmImpact,
    IReadOnlyList<CmdletParameter> Parameters,
    IReadOnlyList<string> OutputTypes)
{
    public string Name => Verb + "-" + Noun;

    /// <summary>
    /// The parameter sets as PowerShell forms them: the named sets in order of first use, the
    /// default one first; a cmdlet that names none has the single all-sets set.
    /// </summary>
    public IReadOnlyList<string> GetParameterSetNames()
    {
        var names = new List<string>();
        foreach (ParameterSetEntry entry in Parameters.SelectMany(p => p.Sets))
        {
            if (!entry.IsAllSets && !names.Contains(entry.SetName, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(entry.SetName);
            }
        }

        if (!string.IsNullOrEmpty(DefaultParameterSetName))
        {
            int index = names.FindIndex(n => string.Equals(n, DefaultParameterSetName, StringComparison.OrdinalIgnoreCase));
            if (index > 0)
            {
                names.RemoveAt(index);
            }

            if (index != 0 && names.Count > 0)
            {
                // A default set that no parameter names still exists (it holds the all-sets parameters).
                names.Insert(0, DefaultParameterSetName);
            }
        }

        return names.Count > 0 ? names : [ParameterSetEntry.AllSets];
    }

    /// <summary>
    /// The parameters of one set with their settings there, in Get-Help's syntax order:
    /// positional by position, then mandatory, then optional, WhatIf/Confirm last.
    /// </summary>
    public IReadOnlyList<(CmdletParameter Parameter, ParameterSetEntry Entry)> GetSyntax(string setName)
    {
        var members = new List<(CmdletParameter Parameter, ParameterSetEntry Entry)>();
        foreach (CmdletParameter parameter in Parameters)
        {
            ParameterSetEntry? entry = parameter.Sets.FirstOrDefault(s => string.Equals(s.SetName, setName, StringComparison.OrdinalIgnoreCase))
                ?? parameter.Sets.FirstOrDefault(s => s.IsAllSets);
            if (entry is not null)
            {
                members.Add((parameter, entry));
            }
        }

        return members
            .OrderBy(m => m.Parameter.IsShouldProcessParameter)
            .ThenBy(m => m.Entry.Position is null)
            .ThenBy(m => m.Entry.Position ?? 0)
            .ThenBy(m => !m.Entry.Mandatory)
            .ToList();
    }
}

/// <summary>A cmdlet parameter; <see cref="Sets"/> holds one entry per [Parameter] attribute.</summary>
internal sealed record CmdletParameter(
    string Name,
    string TypeName,
    bool IsSwitch,
    bool IsArray,
    IReadOnlyList<string> Aliases,
    bool SupportsWildcards,
    IReadOnlyList<string> ValidValues,
    IReadOnlyList<ParameterSetEntry> Sets,
    bool IsShouldProcessParameter = false)
{
    /// <summary>Mandatory in every set it belongs to.</summary>
    public bool IsAlwaysMandatory => Sets.Count > 0 && Sets.All(s => s.Mandatory);

    public bool AcceptsPipelineByValue => Sets.Any(s => s.ValueFromPipeline);

    public bool AcceptsPipelineByPropertyName => Sets.Any(s => s.ValueFromPipelineByPropertyName);

    /// <summary>The first position declared, or null when the parameter is only named.</summary>
    public int? Position => Sets.Select(s => s.Position).FirstOrDefault(p => p is not null);

    public string? HelpMessage => Sets.Select(s => s.HelpMessage).FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));

    /// <summary>The -WhatIf and -Confirm parameters that SupportsShouldProcess adds.</summary>
    public static IReadOnlyList<CmdletParameter> ShouldProcessParameters { get; } =
    [
        new("WhatIf", "SwitchParameter", IsSwitch: true, IsArray: false, ["wi"], SupportsWildcards: false, [], [ParameterSetEntry.Optional], IsShouldProcessParameter: true),
        new("Confirm", "SwitchParameter", IsSwitch: true, IsArray: false, ["cf"], SupportsWildcards: false, [], [ParameterSetEntry.Optional], IsShouldProcessParameter: true),
    ];
}

/// <summary>The settings of one [Parameter] attribute.</summary>
internal sealed record ParameterSetEntry(
    string SetName,
    bool Mandatory,
    int? Position,
    bool ValueFromPipeline,
    bool ValueFromPipelineByPropertyName,
    string? HelpMessage)
{
    /// <summary>PowerShell's name for "every parameter set" (ParameterAttribute.AllParameterSets).</summary>
    public const string AllSets = "__AllParameterSets";

    public static ParameterSetEntry Optional { get; } = new(AllSets, false, null, false, false, null);

    public bool IsAllSets => string.Equals(SetName, AllSets, StringComparison.Ordinal);
}
