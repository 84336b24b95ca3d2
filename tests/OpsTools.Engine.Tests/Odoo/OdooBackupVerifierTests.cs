using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(OdooCollection.Name)]
public sealed class OdooBackupVerifierTests
{
    private readonly OdooFixture _lab;

    public OdooBackupVerifierTests(OdooFixture lab) => _lab = lab;

    [SkippableTheory]
    [InlineData(OdooBackupFormat.Zip)]
    [InlineData(OdooBackupFormat.Platform)]
    public async Task A_good_backup_passes_every_check_and_its_scratch_database_is_dropped(OdooBackupFormat format)
    {
        _lab.RequireLab();
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("verify"), Format = format, FilestorePath = _lab.FilestorePath }, new OdooBackupProgress());
        string scratchRoot = _lab.NewDirectory("scratch");

        OdooBackupTest verdict = await OdooBackupVerifier.TestAsync(backup.Path, _lab.Endpoint("postgres"), scratchRoot, new OdooRestoreProgress());

        Assert.True(verdict.Passed, verdict.FailureReason);
        Assert.Equal(new[] { "Complete", "Restore", "DatabaseOpens", "CoreTables", "Filestore", "Checksums" }, verdict.Checks.Select(c => c.Name));
        Assert.All(verdict.Checks, c => Assert.True(c.Passed, c.ToString()));
        Assert.Equal(await _lab.ScalarAsync<long>(_lab.Database, "SELECT count(*) FROM ir_attachment WHERE store_fname IS NOT NULL"), verdict.AttachmentsChecked);
        Assert.Equal(0L, await _lab.ScalarAsync<long>("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{verdict.ScratchDatabase}'"));
        Assert.Empty(Directory.GetFileSystemEntries(scratchRoot));
    }

    [SkippableFact]
    public async Task A_backup_whose_filestore_lacks_an_attachment_fails_the_filestore_check_naming_it()
    {
        _lab.RequireLab();
        string partial = _lab.NewDirectory("partial-filestore");
        foreach (string file in Directory.GetFiles(_lab.FilestorePath, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(partial, Path.GetRelativePath(_lab.FilestorePath, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string lost = Directory.GetFiles(partial, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).First();
        File.Delete(lost);
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("verify-bad"), FilestorePath = partial }, new OdooBackupProgress());

        OdooBackupTest verdict = await OdooBackupVerifier.TestAsync(backup.Path, _lab.Endpoint("postgres"), _lab.NewDirectory("scratch"), new OdooRestoreProgress());

        Assert.False(verdict.Passed);
        OdooBackupCheck filestore = verdict.Checks.Single(c => c.Name == "Filestore");
        Assert.False(filestore.Passed);
        Assert.Contains(Path.GetRelativePath(partial, lost), filestore.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Filestore: 1 of", verdict.FailureReason, StringComparison.Ordinal);
        Assert.True(verdict.Checks.Single(c => c.Name == "CoreTables").Passed);
    }

    [SkippableFact]
    public async Task An_incomplete_backup_fails_without_a_restore()
    {
        _lab.RequireLab();
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("verify-incomplete"), Format = OdooBackupFormat.Dump, FilestorePath = _lab.FilestorePath }, new OdooBackupProgress());
        File.Delete(backup.Parts.Single(p => p.Role == "Filestore").Path);

        OdooBackupTest verdict = await OdooBackupVerifier.TestAsync(backup.Path, _lab.Endpoint("postgres"), _lab.NewDirectory("scratch"), new OdooRestoreProgress());

        Assert.False(verdict.Passed);
        Assert.False(verdict.Checks[0].Passed);
        Assert.Contains("is missing", verdict.Checks[0].Reason, StringComparison.Ordinal);
        Assert.Null(verdict.Checks.Single(c => c.Name == "Restore").Passed);
        Assert.Equal(0L, await _lab.ScalarAsync<long>("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{verdict.ScratchDatabase}'"));
    }
}
