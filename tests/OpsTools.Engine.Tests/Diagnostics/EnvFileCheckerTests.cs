using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;

namespace OpsTools.Engine.Tests.Diagnostics;

/// <summary>Env files and templates written for each test in a temporary directory (a git repository for the git checks).</summary>
public sealed class EnvFileCheckerTests : IDisposable
{
    private const string Secret = "S3cr3t-value-never-shown";
    private readonly string _directory = Directory.CreateTempSubdirectory("opstools-df-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Reports_missing_extra_empty_placeholder_and_interpolated_keys_with_their_lines()
    {
        string template = Write(".env.example", "DB_HOST=db\nDB_PASSWORD=changeme\nSMTP_PASSWORD=\nWORKERS=2\n");
        string env = Write(".env", $"DB_HOST=db\nDB_PASSWORD=changeme\nWORKERS=\nEXTRA=1\nAPI_TOKEN=your-token-here\nRAW=a$HOME\nQUOTED='a$HOME'\nPASS={Secret}\n");

        IReadOnlyList<EnvFileFinding> findings = await EnvFileChecker.CheckAsync(env, template);

        Assert.Equal(new[] { "SMTP_PASSWORD" }, Keys(findings, EnvFileFindingKind.MissingKey));
        Assert.Equal(new[] { "EXTRA", "API_TOKEN", "RAW", "QUOTED", "PASS" }, Keys(findings, EnvFileFindingKind.ExtraKey));
        Assert.Equal(new[] { "WORKERS" }, Keys(findings, EnvFileFindingKind.EmptyValue));
        Assert.Equal(new[] { "DB_PASSWORD", "API_TOKEN" }, Keys(findings, EnvFileFindingKind.Placeholder));
        Assert.Equal(new[] { "RAW" }, Keys(findings, EnvFileFindingKind.Interpolation));
        Assert.Equal(3, findings.Single(f => f.Kind == EnvFileFindingKind.MissingKey).Line);
        Assert.Equal(6, findings.Single(f => f.Kind == EnvFileFindingKind.Interpolation).Line);
        Assert.All(findings, f => Assert.DoesNotContain(Secret, f.Message, StringComparison.Ordinal));
        Assert.All(findings, f => Assert.DoesNotContain("$HOME", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_a_secret_left_at_the_templates_example_value()
    {
        string template = Write(".env.example", "ADMIN_PASSWORD=odoo-admin-2024\nPORT=8069\n");
        string env = Write(".env", "ADMIN_PASSWORD=odoo-admin-2024\nPORT=8069\n");

        IReadOnlyList<EnvFileFinding> findings = await EnvFileChecker.CheckAsync(env, template);

        Assert.Equal(new[] { "ADMIN_PASSWORD" }, Keys(findings, EnvFileFindingKind.Placeholder));
    }

    [SkippableFact]
    public async Task Reports_an_env_file_committed_to_git_and_not_an_ignored_one()
    {
        Skip.IfNot(Git("--version"), "git is not installed.");

        Assert.True(Git("init", "-q", _directory));
        string committed = Write("committed.env", "A=1\n");
        string untracked = Write("local.env", "A=1\n");
        Assert.True(Git("-C", _directory, "add", "committed.env"));

        IReadOnlyList<EnvFileFinding> tracked = await EnvFileChecker.CheckAsync(committed, null);
        IReadOnlyList<EnvFileFinding> clean = await EnvFileChecker.CheckAsync(untracked, null);

        EnvFileFinding finding = Assert.Single(tracked);
        Assert.Equal(EnvFileFindingKind.TrackedByGit, finding.Kind);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Empty(clean);
    }

    [Fact]
    public async Task Refuses_a_missing_file_with_EnvFileNotFound()
    {
        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => EnvFileChecker.CheckAsync(Path.Combine(_directory, "missing.env"), null));

        Assert.Equal("EnvFileNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public async Task Names_the_line_of_an_invalid_line_without_its_value()
    {
        string env = Write(".env", $"GOOD=1\nBAD KEY={Secret}\n");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => EnvFileChecker.CheckAsync(env, null));

        Assert.Equal("ComposeEnvFileInvalid", error.ErrorId);
        Assert.Contains(":2:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    private static string[] Keys(IEnumerable<EnvFileFinding> findings, EnvFileFindingKind kind) =>
        findings.Where(f => f.Kind == kind).Select(f => f.Key!).ToArray();

    private static bool Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
