using System;
using System.IO;
using OpsTools.Engine.Health;
using OpsTools.Health;

namespace OpsTools.Engine.Tests.Health;

public sealed class OpsHealthHtmlWriterTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    private static OpsHealthFinding Finding(OpsHealthLayer layer, OpsHealthSeverity severity, string target, string message) => new()
    {
        Layer = layer,
        Severity = severity,
        Target = target,
        Message = message,
        Check = "TestCheck",
        NextStep = "Get-SwarmTask -Service 'a' | Where-Object CurrentState -ne Running",
        CheckedAt = At,
    };

    [Fact]
    public void Every_text_is_encoded_so_a_hostile_message_cannot_inject_markup()
    {
        string page = OpsHealthHtmlWriter.Render(
            new[] { OpsHealthLayer.Swarm },
            new[] { Finding(OpsHealthLayer.Swarm, OpsHealthSeverity.Critical, "web<script>", "task failed: <script>alert(1)</script> & more") },
            At,
            "Report <1>");

        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Contains("web&lt;script&gt;", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", page, StringComparison.Ordinal);
        Assert.Contains("<title>Report &lt;1&gt;</title>", page, StringComparison.Ordinal);
        Assert.Contains("Where-Object CurrentState -ne Running", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_layer_checked_gets_a_section_and_a_clean_layer_says_so()
    {
        string page = OpsHealthHtmlWriter.Render(
            new[] { OpsHealthLayer.Swarm, OpsHealthLayer.Ceph, OpsHealthLayer.Backup },
            new[]
            {
                Finding(OpsHealthLayer.Ceph, OpsHealthSeverity.Warning, "/mnt/cephfs/a", "91% of its quota used"),
                Finding(OpsHealthLayer.Backup, OpsHealthSeverity.Critical, "odoo_b", "No backup at all"),
            },
            At,
            "Report");

        int swarm = page.IndexOf("<h2>Swarm</h2>", StringComparison.Ordinal);
        int ceph = page.IndexOf("<h2>Ceph</h2>", StringComparison.Ordinal);
        int backup = page.IndexOf("<h2>Backup</h2>", StringComparison.Ordinal);
        Assert.True(swarm >= 0 && swarm < ceph && ceph < backup);
        Assert.Contains("No findings.", page[swarm..ceph], StringComparison.Ordinal);
        Assert.Contains("<tr class=\"warning\"><td class=\"severity\">Warning</td><td>/mnt/cephfs/a</td>", page[ceph..backup], StringComparison.Ordinal);
        Assert.Contains("<tr class=\"critical\"><td class=\"severity\">Critical</td><td>odoo_b</td>", page[backup..], StringComparison.Ordinal);
        Assert.Contains("3 layer(s) checked: 1 critical, 1 warning, 0 info.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Node</h2>", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_replaces_the_page_whole_and_leaves_no_temporary_file()
    {
        string directory = Directory.CreateTempSubdirectory("opshealth-").FullName;
        try
        {
            string path = Path.Combine(directory, "index.html");
            File.WriteAllText(path, "old page");

            OpsHealthHtmlWriter.Write(path, new[] { OpsHealthLayer.Node }, Array.Empty<OpsHealthFinding>(), At, "Report");

            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
