using System;
using System.Collections.Generic;
using System.Linq;
using OpsTools.Build.Cmdlets;
using OpsTools.Build.Help;

namespace OpsTools.Build.Validation;

/// <summary>Checks that help pages and cmdlets agree, reporting every disagreement.</summary>
internal static class HelpValidator
{
    /// <summary>
    /// Pairs each cmdlet with its page and reports what does not match. Returns the pairs, in
    /// cmdlet order, for the cmdlets that have a page.
    /// </summary>
    public static List<(CmdletDefinition Cmdlet, HelpPage Page)> Validate(
        IReadOnlyList<CmdletDefinition> cmdlets,
        IReadOnlyList<HelpPage> pages,
        string assemblyPath,
        string docsDirectory,
        List<Diagnostic> diagnostics)
    {
        var assembly = new SourceLocation(assemblyPath);
        var pagesByName = new Dictionary<string, HelpPage>(StringComparer.OrdinalIgnoreCase);
        foreach (HelpPage page in pages)
        {
            if (!pagesByName.TryAdd(page.Name, page))
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.MalformedPage,
                    $"Another page, {pagesByName[page.Name].Path}, already documents '{page.Name}'.",
                    page.TitleLocation));
            }
        }

        var pairs = new List<(CmdletDefinition, HelpPage)>();
        foreach (CmdletDefinition cmdlet in cmdlets)
        {
            if (!ApprovedVerbs.IsApproved(cmdlet.Verb))
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.UnapprovedVerb,
                    $"Cmdlet '{cmdlet.Name}' ({cmdlet.TypeName}) uses '{cmdlet.Verb}', which is not an approved PowerShell verb (see Get-Verb).",
                    assembly));
            }

            if (!pagesByName.TryGetValue(cmdlet.Name, out HelpPage? page))
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.MissingPage,
                    $"Cmdlet '{cmdlet.Name}' ({cmdlet.TypeName}) has no help page; expected {System.IO.Path.Combine(docsDirectory, cmdlet.Name + ".md")}.",
                    assembly));
                continue;
            }

            ValidatePage(cmdlet, page, diagnostics);
            pairs.Add((cmdlet, page));
        }

        var cmdletNames = new HashSet<string>(cmdlets.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        foreach (HelpPage page in pages.Where(p => !cmdletNames.Contains(p.Name)))
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.UnknownCmdletPage,
                $"The page documents '{page.Name}', but the assembly has no such cmdlet.",
                page.TitleLocation));
        }

        return pairs;
    }

    private static void ValidatePage(CmdletDefinition cmdlet, HelpPage page, List<Diagnostic> diagnostics)
    {
        if (page.Synopsis.Count == 0)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.EmptySynopsis, $"The page for '{cmdlet.Name}' has an empty or missing '## SYNOPSIS'.", page.TitleLocation));
        }

        if (page.Description.Count == 0)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.EmptyDescription, $"The page for '{cmdlet.Name}' has an empty or missing '## DESCRIPTION'.", page.TitleLocation));
        }

        if (page.Examples.Count == 0)
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.NoExample,
                $"The page for '{cmdlet.Name}' has no example: add '### Example 1: ...' with a ```powershell block under '## EXAMPLES'.",
                page.ExamplesLocation ?? page.TitleLocation));
        }

        var parameters = cmdlet.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (HelpParameter documented in page.Parameters)
        {
            if (!parameters.TryGetValue(documented.Name, out CmdletParameter? parameter))
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.UnknownParameter,
                    $"The page documents parameter '-{documented.Name}', but cmdlet '{cmdlet.Name}' has no such parameter.",
                    documented.Location));
            }
            else if (documented.Description.Count == 0 && !parameter.IsShouldProcessParameter)
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.UndocumentedParameter,
                    $"Parameter '-{documented.Name}' of '{cmdlet.Name}' has no description.",
                    documented.Location));
            }
        }

        // WhatIf and Confirm may be left out: Get-Help gets their standard text.
        var documentedNames = new HashSet<string>(page.Parameters.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
        foreach (CmdletParameter parameter in cmdlet.Parameters.Where(p => !p.IsShouldProcessParameter && !documentedNames.Contains(p.Name)))
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.UndocumentedParameter,
                $"Parameter '-{parameter.Name}' of '{cmdlet.Name}' is missing from the page: add '### -{parameter.Name}' under '## PARAMETERS'.",
                page.ParametersLocation ?? page.TitleLocation));
        }
    }
}
