using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using OpsTools.Health;

namespace OpsTools.Engine.Health;

/// <summary>
/// Writes a report as one self-contained HTML page (no script, no external files, so it can be
/// mailed or published as is): a summary line, then a table per layer checked, rows coloured by
/// severity; a layer without findings says so. Every text is HTML-encoded.
/// </summary>
public static class OpsHealthHtmlWriter
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; }
        tr.critical td { background: #fbe3e4; } tr.critical td.severity { color: #a00; font-weight: bold; }
        tr.warning td { background: #fff6d6; } tr.warning td.severity { color: #8a6100; font-weight: bold; }
        tr.info td { background: #eef5fb; }
        p.ok { color: #276b2e; } code { font-size: 0.95em; }
        """;

    /// <summary>Writes the page to a temporary file beside <paramref name="path"/> and renames it over the target.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="layers">Layers the report checked, in order.</param>
    /// <param name="findings">The findings.</param>
    /// <param name="generatedAt">When the report ran.</param>
    /// <param name="title">Page title.</param>
    public static void Write(string path, IReadOnlyList<OpsHealthLayer> layers, IReadOnlyList<OpsHealthFinding> findings, DateTimeOffset generatedAt, string title)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            File.WriteAllText(temporary, Render(layers, findings, generatedAt, title), new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The page as text.</summary>
    /// <param name="layers">Layers the report checked, in order.</param>
    /// <param name="findings">The findings.</param>
    /// <param name="generatedAt">When the report ran.</param>
    /// <param name="title">Page title.</param>
    /// <returns>The HTML.</returns>
    public static string Render(IReadOnlyList<OpsHealthLayer> layers, IReadOnlyList<OpsHealthFinding> findings, DateTimeOffset generatedAt, string title)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(findings);
        var html = new StringBuilder();
        string encodedTitle = WebUtility.HtmlEncode(title);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(encodedTitle).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(encodedTitle).Append("</h1>\n");
        int critical = findings.Count(f => f.Severity == OpsHealthSeverity.Critical);
        int warning = findings.Count(f => f.Severity == OpsHealthSeverity.Warning);
        int info = findings.Count(f => f.Severity == OpsHealthSeverity.Info);
        html.Append(CultureInfo.InvariantCulture, $"<p>Generated {WebUtility.HtmlEncode(generatedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture))}; ")
            .Append(CultureInfo.InvariantCulture, $"{layers.Count} layer(s) checked: {critical} critical, {warning} warning, {info} info.</p>\n");
        foreach (OpsHealthLayer layer in layers)
        {
            html.Append("<h2>").Append(layer).Append("</h2>\n");
            List<OpsHealthFinding> own = findings.Where(f => f.Layer == layer).ToList();
            if (own.Count == 0)
            {
                html.Append("<p class=\"ok\">No findings.</p>\n");
                continue;
            }

            html.Append("<table>\n<tr><th>Severity</th><th>Target</th><th>Message</th><th>Next step</th><th>Check</th></tr>\n");
            foreach (OpsHealthFinding finding in own)
            {
                string css = finding.Severity.ToString().ToLowerInvariant();
                html.Append("<tr class=\"").Append(css).Append("\"><td class=\"severity\">").Append(finding.Severity)
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(finding.Target))
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(finding.Message))
                    .Append("</td><td><code>").Append(WebUtility.HtmlEncode(finding.NextStep ?? string.Empty))
                    .Append("</code></td><td>").Append(WebUtility.HtmlEncode(finding.Check))
                    .Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }
}
