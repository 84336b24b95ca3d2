using System;
using System.Collections.Generic;
using System.IO;
using OpsTools.Engine.Postgres;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>How revision scripts are read and compared with recorded revisions (files in a temporary directory; no server needed).</summary>
public sealed class AlembicRevisionReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opstools-pgq-alembic-").FullName;
    private readonly PostgresEndpoint _endpoint = PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = "127.0.0.1:5432",
        DefaultDatabase = "app",
        Environment = new Dictionary<string, string>(),
        HomeDirectory = Path.GetTempPath(),
    });

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Script(string file, string text)
    {
        Directory.CreateDirectory(Path.Combine(_root, "versions"));
        File.WriteAllText(Path.Combine(_root, "versions", file), text);
    }

    private AlembicRevision Compare(params string[] current) =>
        AlembicRevisionReader.Compare(_endpoint, "alembic_version", current, AlembicRevisionReader.ReadScripts(_root));

    private void LinearHistory()
    {
        Script("001_base.py", "\"\"\"base\"\"\"\nrevision = 'a1'\ndown_revision = None\nbranch_labels = None\n");
        Script("002_users.py", "revision: str = \"b2\"\ndown_revision: Union[str, None] = \"a1\"\n");
        Script("003_orders.py", "revision = 'c3'\ndown_revision = 'b2'\n\ndef upgrade():\n    op.execute(\"revision = 'zz'\")\n");
        Script("__init__.py", string.Empty);
    }

    [Fact]
    public void Scripts_with_plain_and_annotated_assignments_are_read_and_files_without_a_revision_skipped()
    {
        LinearHistory();

        (string directory, IReadOnlyList<AlembicScript> scripts) = AlembicRevisionReader.ReadScripts(_root);

        Assert.Equal(Path.Combine(_root, "versions"), directory);
        Assert.Equal(3, scripts.Count);
        Assert.Contains(scripts, s => s.Revision == "b2" && s.DownRevisions.Count == 1 && s.DownRevisions[0] == "a1");
        Assert.Contains(scripts, s => s.Revision == "a1" && s.DownRevisions.Count == 0);
    }

    [Fact]
    public void A_database_two_revisions_behind_lists_them_oldest_first()
    {
        LinearHistory();

        AlembicRevision result = Compare("a1");

        Assert.Equal(AlembicState.Behind, result.State);
        Assert.Equal(new[] { "b2", "c3" }, result.Pending);
        Assert.Equal(new[] { "c3" }, result.Heads);
    }

    [Fact]
    public void A_database_at_the_head_is_up_to_date()
    {
        LinearHistory();

        AlembicRevision result = Compare("c3");

        Assert.Equal(AlembicState.UpToDate, result.State);
        Assert.Empty(result.Pending);
    }

    [Fact]
    public void A_revision_no_script_defines_is_unknown()
    {
        LinearHistory();

        AlembicRevision result = Compare("ffff");

        Assert.Equal(AlembicState.Unknown, result.State);
        Assert.Equal(new[] { "ffff" }, result.UnknownRevisions);
    }

    [Fact]
    public void Two_heads_are_reported_with_both_ids_and_a_merge_revision_resolves_them()
    {
        Script("a.py", "revision = 'a1'\ndown_revision = None\n");
        Script("b.py", "revision = 'b1'\ndown_revision = 'a1'\n");
        Script("c.py", "revision = 'c1'\ndown_revision = 'a1'\n");

        AlembicRevision split = Compare("b1");

        Assert.Equal(AlembicState.MultipleHeads, split.State);
        Assert.Equal(new[] { "b1", "c1" }, split.Heads);

        Script("d.py", "revision = 'd1'\ndown_revision = ('b1', 'c1')\n");
        AlembicRevision merged = Compare("b1");

        Assert.Equal(AlembicState.Behind, merged.State);
        Assert.Equal(new[] { "d1" }, merged.Heads);
        Assert.Equal(new[] { "c1", "d1" }, merged.Pending);
    }

    [Fact]
    public void No_recorded_revision_is_not_initialized_with_every_revision_pending()
    {
        LinearHistory();

        AlembicRevision result = Compare();

        Assert.Equal(AlembicState.NotInitialized, result.State);
        Assert.Equal(new[] { "a1", "b2", "c3" }, result.Pending);
    }

    [Fact]
    public void An_unreadable_down_revision_names_the_script()
    {
        Script("bad.py", "revision = 'a1'\ndown_revision = some_function()\n");

        OpsToolsException error = Assert.Throws<OpsToolsException>(() => AlembicRevisionReader.ReadScripts(_root));

        Assert.Equal("AlembicScriptInvalid", error.ErrorId);
        Assert.Contains("bad.py", error.Message, StringComparison.Ordinal);
    }
}
