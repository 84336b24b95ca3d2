using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>One revision script of an Alembic versions directory.</summary>
/// <param name="Revision">Its <c>revision</c>.</param>
/// <param name="DownRevisions">Its <c>down_revision</c>(s); empty for a base revision.</param>
/// <param name="File">The script file.</param>
public sealed record AlembicScript(string Revision, IReadOnlyList<string> DownRevisions, string File);

/// <summary>
/// Reads the revision(s) an Alembic-migrated database records in its version table and compares them
/// with the revision graph of the migration scripts (<c>revision = '...'</c>, <c>down_revision =
/// '...' | None | ('a', 'b')</c> in versions/*.py, read as text: nothing is executed).
/// </summary>
public static partial class AlembicRevisionReader
{
    /// <summary>Reads the database and, when given, the scripts.</summary>
    /// <param name="endpoint">Server and database.</param>
    /// <param name="versionTable">The version table, optionally schema-qualified.</param>
    /// <param name="scriptLocation">The Alembic script directory (holding versions/) or the versions directory itself; null to read the database only.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="OpsToolsException"><c>AlembicScriptsNotFound</c>, <c>AlembicScriptInvalid</c>, <c>PostgresIdentifierInvalid</c>, connection errors.</exception>
    public static async Task<AlembicRevision> ReadAsync(PostgresEndpoint endpoint, string versionTable, string? scriptLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string table = PostgresJobQueueReader.QuoteOrThrow(versionTable, "-VersionTable");
        (string Directory, IReadOnlyList<AlembicScript> Scripts)? scripts = scriptLocation is null ? null : ReadScripts(scriptLocation);

        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        bool exists = (await PostgresConnector.QueryAsync(connection, endpoint, "SELECT to_regclass(@name) IS NOT NULL", r => r.GetBoolean(0), cancellationToken, ("name", table)).ConfigureAwait(false)).Single();
        List<string> current = exists
            ? await PostgresConnector.QueryAsync(connection, endpoint, $"SELECT version_num::text FROM {table} ORDER BY 1", r => r.GetString(0), cancellationToken).ConfigureAwait(false)
            : new List<string>();
        return Compare(endpoint, versionTable, current, scripts);
    }

    /// <summary>Reads the revision scripts of a directory.</summary>
    /// <param name="scriptLocation">The Alembic script directory (holding versions/) or the versions directory.</param>
    /// <returns>The versions directory and its scripts.</returns>
    public static (string Directory, IReadOnlyList<AlembicScript> Scripts) ReadScripts(string scriptLocation)
    {
        ArgumentException.ThrowIfNullOrEmpty(scriptLocation);
        string root = Path.GetFullPath(scriptLocation);
        string versions = Directory.Exists(Path.Combine(root, "versions")) ? Path.Combine(root, "versions") : root;
        if (!Directory.Exists(versions))
        {
            throw new OpsToolsException(
                "AlembicScriptsNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The Alembic script directory {root} does not exist.",
                root,
                "Give -ScriptLocation as the directory of alembic.ini's script_location (it holds versions/), or the versions directory itself.");
        }

        var scripts = new Dictionary<string, AlembicScript>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(versions, "*.py", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(file);
            Match revision = RevisionPattern().Match(text);
            if (!revision.Success)
            {
                continue;
            }

            Match down = DownRevisionPattern().Match(text);
            if (!down.Success)
            {
                throw Invalid(file, "it has a revision but no down_revision line");
            }

            string value = down.Groups["value"].Value.Trim();
            IReadOnlyList<string> downs = value is "None" or "()" or "[]"
                ? Array.Empty<string>()
                : QuotedPattern().Matches(value).Select(m => m.Groups[2].Value).ToArray();
            if (downs.Count == 0 && value is not ("None" or "()" or "[]"))
            {
                throw Invalid(file, $"its down_revision {value} is neither None, a quoted revision nor a tuple of them");
            }

            string id = revision.Groups["value"].Value;
            if (scripts.TryGetValue(id, out AlembicScript? other))
            {
                throw Invalid(file, $"revision {id} is also defined in {other.File}");
            }

            scripts[id] = new AlembicScript(id, downs, file);
        }

        if (scripts.Count == 0)
        {
            throw new OpsToolsException(
                "AlembicScriptsNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No revision script (a .py file with revision = '...') was found in {versions}.",
                versions,
                "Give -ScriptLocation as the directory of alembic.ini's script_location (it holds versions/), or the versions directory itself.");
        }

        return (versions, scripts.Values.ToList());
    }

    /// <summary>Compares recorded revisions with the scripts' graph.</summary>
    internal static AlembicRevision Compare(PostgresEndpoint endpoint, string versionTable, IReadOnlyList<string> current, (string Directory, IReadOnlyList<AlembicScript> Scripts)? scripts)
    {
        if (scripts is not { } found)
        {
            return new AlembicRevision
            {
                Server = endpoint.Server,
                Database = endpoint.Database,
                VersionTable = versionTable,
                State = current.Count == 0 ? AlembicState.NotInitialized : AlembicState.NotChecked,
                Current = current,
            };
        }

        Dictionary<string, AlembicScript> byId = found.Scripts.ToDictionary(s => s.Revision, StringComparer.Ordinal);
        var referenced = new HashSet<string>(found.Scripts.SelectMany(s => s.DownRevisions), StringComparer.Ordinal);
        List<string> heads = found.Scripts.Select(s => s.Revision).Where(r => !referenced.Contains(r)).Order(StringComparer.Ordinal).ToList();
        List<string> unknown = current.Where(r => !byId.ContainsKey(r)).ToList();

        var applied = new HashSet<string>(StringComparer.Ordinal);
        foreach (string revision in current.Where(byId.ContainsKey))
        {
            AddAncestors(revision, byId, applied);
        }

        // Oldest first: a revision comes after all of its down revisions.
        var ordered = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (string head in heads)
        {
            Visit(head, byId, visited, ordered);
        }

        List<string> pending = ordered.Where(r => !applied.Contains(r)).ToList();
        AlembicState state;
        if (unknown.Count > 0)
        {
            state = AlembicState.Unknown;
        }
        else if (heads.Count > 1 && !heads.All(current.Contains))
        {
            state = AlembicState.MultipleHeads;
        }
        else if (current.Count == 0)
        {
            state = AlembicState.NotInitialized;
        }
        else
        {
            state = pending.Count == 0 ? AlembicState.UpToDate : AlembicState.Behind;
        }

        return new AlembicRevision
        {
            Server = endpoint.Server,
            Database = endpoint.Database,
            VersionTable = versionTable,
            State = state,
            Current = current,
            Heads = heads,
            Pending = unknown.Count > 0 ? Array.Empty<string>() : pending,
            UnknownRevisions = unknown,
            ScriptLocation = found.Directory,
            ScriptCount = found.Scripts.Count,
        };
    }

    private static void AddAncestors(string revision, Dictionary<string, AlembicScript> byId, HashSet<string> into)
    {
        var stack = new Stack<string>();
        stack.Push(revision);
        while (stack.Count > 0)
        {
            string next = stack.Pop();
            if (!into.Add(next) || !byId.TryGetValue(next, out AlembicScript? script))
            {
                continue;
            }

            foreach (string down in script.DownRevisions)
            {
                stack.Push(down);
            }
        }
    }

    private static void Visit(string revision, Dictionary<string, AlembicScript> byId, HashSet<string> visited, List<string> ordered)
    {
        var stack = new Stack<(string Revision, bool Expanded)>();
        stack.Push((revision, false));
        while (stack.Count > 0)
        {
            (string next, bool expanded) = stack.Pop();
            if (expanded)
            {
                ordered.Add(next);
                continue;
            }

            if (!visited.Add(next) || !byId.TryGetValue(next, out AlembicScript? script))
            {
                continue;
            }

            stack.Push((next, true));
            foreach (string down in script.DownRevisions.Reverse())
            {
                stack.Push((down, false));
            }
        }
    }

    private static OpsToolsException Invalid(string file, string reason) => new(
        "AlembicScriptInvalid",
        OpsToolsErrorKind.InvalidData,
        $"The revision script {file} cannot be read: {reason}.",
        file,
        "Fix the script's revision / down_revision lines (alembic check and alembic heads read the same lines).");

    [GeneratedRegex(@"^revision\s*(?::[^=\n]+)?=\s*(?<q>['""])(?<value>[^'""]+)\k<q>", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RevisionPattern();

    [GeneratedRegex(@"^down_revision\s*(?::[^=\n]+)?=\s*(?<value>\([^)]*\)|\[[^\]]*\]|[^\n#]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex DownRevisionPattern();

    [GeneratedRegex(@"(['""])([^'""]+)\1", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPattern();
}
