using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>What queue table to read and how its rows are marked.</summary>
public sealed class PostgresJobQueueRequest
{
    /// <summary>Server and database.</summary>
    public required PostgresEndpoint Endpoint { get; init; }

    /// <summary>The table, optionally schema-qualified.</summary>
    public required string Table { get; init; }

    /// <summary>The column holding the status.</summary>
    public string StatusColumn { get; init; } = "status";

    /// <summary>The column holding the creation time.</summary>
    public string CreatedColumn { get; init; } = "created_at";

    /// <summary>Statuses that count as pending.</summary>
    public IReadOnlyList<string> PendingStatus { get; init; } = new[] { "pending", "queued" };
}

/// <summary>
/// Counts the rows of a job queue table per status and finds the oldest pending row in one GROUP BY
/// (the runbook's <c>SELECT COUNT(*) FROM due_work</c>). Names are quoted as identifiers and checked
/// against the catalog first, so an unknown table or column is named in the error.
/// </summary>
public static class PostgresJobQueueReader
{
    /// <summary>Reads the queue.</summary>
    /// <param name="request">Table and columns.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="OpsToolsException"><c>PostgresTableNotFound</c>, <c>PostgresColumnNotFound</c>, <c>PostgresIdentifierInvalid</c>.</exception>
    public static async Task<PostgresJobQueue> ReadAsync(PostgresJobQueueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        PostgresEndpoint endpoint = request.Endpoint;
        string table = QuoteOrThrow(request.Table, "-Table");
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        List<string?> found = await PostgresConnector.QueryAsync(connection, endpoint, "SELECT to_regclass(@name)::oid::text", r => r.IsDBNull(0) ? null : r.GetString(0), cancellationToken, ("name", table)).ConfigureAwait(false);
        if (found.Single() is not { } oid)
        {
            throw new OpsToolsException(
                "PostgresTableNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No table {request.Table} exists in {endpoint.DisplayName} (looked up as {table}, on the search_path when not schema-qualified).",
                request.Table,
                "Check -Table (schema.table for a table outside the search_path; quote mixed-case names with double quotes).");
        }

        List<string> columns = await PostgresConnector.QueryAsync(
            connection, endpoint, "SELECT attname FROM pg_attribute WHERE attrelid = @oid::oid AND attnum > 0 AND NOT attisdropped", r => r.GetString(0), cancellationToken, ("oid", oid)).ConfigureAwait(false);
        foreach ((string column, string parameter) in new[] { (request.StatusColumn, "-StatusColumn"), (request.CreatedColumn, "-CreatedColumn") })
        {
            if (!columns.Contains(column, StringComparer.Ordinal))
            {
                throw new OpsToolsException(
                    "PostgresColumnNotFound",
                    OpsToolsErrorKind.ObjectNotFound,
                    $"The table {request.Table} in {endpoint.DisplayName} has no column {column} (given by {parameter}); its columns are {string.Join(", ", columns)}.",
                    column,
                    $"Give the right column name to {parameter}.");
            }
        }

        string status = PostgresIdentifier.Quote(request.StatusColumn);
        string created = PostgresIdentifier.Quote(request.CreatedColumn);
        string sql = $"SELECT {status}::text, count(*), min({created})::timestamptz, now() FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1";
        var pending = new HashSet<string>(request.PendingStatus, StringComparer.OrdinalIgnoreCase);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        List<PostgresJobStatusCount> counts = await PostgresConnector.QueryAsync(
            connection,
            endpoint,
            sql,
            r =>
            {
                now = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc));
                string? value = r.IsDBNull(0) ? null : r.GetString(0);
                return new PostgresJobStatusCount
                {
                    Status = value,
                    Count = r.GetInt64(1),
                    OldestAt = r.IsDBNull(2) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc)),
                    IsPending = value is not null && pending.Contains(value),
                };
            },
            cancellationToken).ConfigureAwait(false);
        DateTimeOffset? oldest = counts.Where(c => c.IsPending && c.OldestAt is not null).Select(c => c.OldestAt).Min();
        return new PostgresJobQueue
        {
            Server = endpoint.Server,
            Database = endpoint.Database,
            Table = request.Table,
            Total = counts.Sum(c => c.Count),
            Pending = counts.Where(c => c.IsPending).Sum(c => c.Count),
            OldestPendingAt = oldest,
            OldestPendingAge = oldest is { } at ? now - at : null,
            PendingStatus = request.PendingStatus.ToArray(),
            ByStatus = counts,
            CheckedAt = now,
        };
    }

    internal static string QuoteOrThrow(string name, string parameter)
    {
        try
        {
            return PostgresIdentifier.QuoteQualified(name);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new OpsToolsException(
                "PostgresIdentifierInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"The name {name} given by {parameter} is not a table name: {ex.Message}.",
                name,
                "Give table or schema.table; quote mixed-case or unusual names with double quotes (\"My Table\").",
                ex);
        }
    }
}
