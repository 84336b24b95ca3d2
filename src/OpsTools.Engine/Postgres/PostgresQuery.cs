using System;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// One ad-hoc statement run on a server: its rows are read one at a time as the caller asks for them
/// (nothing is buffered), or the statement is run for one DataTable, a scalar or a row count.
/// Every <c>@name</c> of the text is bound as an Npgsql parameter, never spliced into it. A timeout
/// cancels the statement on the server (a cancel request) and is reported as such.
/// </summary>
public sealed class PostgresQuery : IAsyncDisposable
{
    private readonly PostgresEndpoint _endpoint;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _command;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationToken _caller;
    private readonly TimeSpan? _timeout;
    private NpgsqlDataReader? _reader;
    private bool _finished;

    private PostgresQuery(PostgresEndpoint endpoint, NpgsqlConnection connection, NpgsqlCommand command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _endpoint = endpoint;
        _connection = connection;
        _command = command;
        _timeout = timeout;
        _caller = cancellationToken;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            _deadline.CancelAfter(limit);
        }
    }

    /// <summary>Column names of the result, made unique (<c>count</c>, <c>count_1</c>); empty for a statement without rows.</summary>
    public IReadOnlyList<string> Columns { get; private set; } = Array.Empty<string>();

    /// <summary>Opens a connection and prepares the statement; nothing runs yet.</summary>
    /// <param name="endpoint">Server, database and role.</param>
    /// <param name="sql">The statement(s).</param>
    /// <param name="parameters">Values of the <c>@name</c> placeholders (null becomes SQL NULL).</param>
    /// <param name="timeout">How long the statement may run, reading its rows included; null for no limit.</param>
    /// <param name="cancellationToken">Ctrl+C: cancels the statement on the server.</param>
    /// <returns>The query, to be disposed.</returns>
    public static async Task<PostgresQuery> OpenAsync(PostgresEndpoint endpoint, string sql, IReadOnlyDictionary<string, object?> parameters, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(parameters);
        NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var command = new NpgsqlCommand(sql, connection)
        {
            // The deadline (a cancel request to the server) is the limit; the command timeout would only break the connection.
            CommandTimeout = 0,
        };
        foreach (KeyValuePair<string, object?> parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(parameter.Key.TrimStart('@'), ToParameterValue(parameter.Value)));
        }

        return new PostgresQuery(endpoint, connection, command, timeout, cancellationToken);
    }

    /// <summary>Runs the statement and reads the next row; false when there are no more.</summary>
    /// <returns>The row's values in column order (SQL NULL as null, timestamptz as a UTC DateTimeOffset), or null at the end.</returns>
    public async Task<object?[]?> ReadRowAsync()
    {
        return await GuardAsync(async token =>
        {
            if (_reader is null)
            {
                _reader = await _command.ExecuteReaderAsync(token).ConfigureAwait(false);
                Columns = UniqueNames(Enumerable.Range(0, _reader.FieldCount).Select(_reader.GetName));
            }

            while (true)
            {
                if (await _reader.ReadAsync(token).ConfigureAwait(false))
                {
                    object?[] values = new object?[_reader.FieldCount];
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = ToValue(_reader.GetValue(i), _reader.GetDataTypeName(i));
                    }

                    return values;
                }

                // Several statements: go on with the rows of the next one.
                if (!await _reader.NextResultAsync(token).ConfigureAwait(false))
                {
                    _finished = true;
                    return null;
                }

                Columns = UniqueNames(Enumerable.Range(0, _reader.FieldCount).Select(_reader.GetName));
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Runs the statement and loads its (first) result into one DataTable.</summary>
    /// <returns>The table.</returns>
    public Task<DataTable> ReadTableAsync() => GuardAsync(async token =>
    {
        await using NpgsqlDataReader reader = await _command.ExecuteReaderAsync(token).ConfigureAwait(false);
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        table.Load(reader);
        return table;
    });

    /// <summary>Runs the statement and returns the first column of the first row (null for none or SQL NULL).</summary>
    /// <returns>The value.</returns>
    public Task<object?> ScalarAsync() => GuardAsync(async token =>
    {
        await using NpgsqlDataReader reader = await _command.ExecuteReaderAsync(token).ConfigureAwait(false);
        return await reader.ReadAsync(token).ConfigureAwait(false) && reader.FieldCount > 0
            ? ToValue(reader.GetValue(0), reader.GetDataTypeName(0))
            : null;
    });

    /// <summary>Runs the statement and returns the rows it changed (-1 for statements that change none, such as SELECT).</summary>
    /// <returns>The count.</returns>
    public Task<int> NonQueryAsync() => GuardAsync(token => _command.ExecuteNonQueryAsync(token));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            try
            {
                if (!_finished)
                {
                    // The caller stopped early (Select-Object -First, Ctrl+C): cancel on the server
                    // rather than read the rest of the result to close the reader.
                    _command.Cancel();
                }

                await _reader.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                // A reader left mid-result after a timeout or Ctrl+C; the connection is closed next.
            }
        }

        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _deadline.Dispose();
    }

    private async Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        try
        {
            return await work(_deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_caller.IsCancellationRequested && _deadline.IsCancellationRequested && _timeout is { } limit)
        {
            throw new OpsToolsException(
                "PostgresQueryTimeout",
                OpsToolsErrorKind.OperationTimeout,
                string.Create(CultureInfo.InvariantCulture, $"The query on {_endpoint.DisplayName} did not finish within {limit.TotalSeconds:0.###} s; it was cancelled on the server."),
                _endpoint.DisplayName,
                "Raise -Timeout, or make the query cheaper (an index, a narrower WHERE, LIMIT).",
                ex);
        }
        catch (Exception ex) when (PostgresErrorMapper.FindPostgresException(ex) is { } pg && PostgresErrorMapper.Map(ex, _endpoint, _caller) is { } mapped)
        {
            throw WithPosition(mapped, pg, _command.CommandText);
        }
        catch (Exception ex) when (PostgresErrorMapper.Map(ex, _endpoint, _caller) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Adds the statement position the server reported (character, line and column of the text) to a mapped error.</summary>
    private static OpsToolsException WithPosition(OpsToolsException mapped, PostgresException pg, string sql)
    {
        OpsToolsErrorKind kind = pg.SqlState switch
        {
            PostgresErrorCodes.SyntaxError => OpsToolsErrorKind.InvalidArgument,
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedObject => OpsToolsErrorKind.ObjectNotFound,
            _ => mapped.Kind,
        };
        string id = pg.SqlState switch
        {
            PostgresErrorCodes.SyntaxError => "PostgresSyntaxError",
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedObject => "PostgresObjectNotFound",
            _ => mapped.ErrorId,
        };
        string advice = kind == mapped.Kind ? mapped.RecommendedAction ?? string.Empty : kind == OpsToolsErrorKind.InvalidArgument
            ? "Correct the query text near the position given."
            : "Check the names in the query (schema, table, column, function) against the database.";
        string message = mapped.Message;

        // With several statements the server counts from the start of the failing one: place it in
        // the text when Npgsql names that statement, else say the position is within it.
        int found = pg.BatchCommand?.CommandText is { Length: > 0 } statement ? sql.IndexOf(statement, StringComparison.Ordinal) : -1;
        bool placed = found >= 0 || sql.TrimEnd().TrimEnd(';').IndexOf(';', StringComparison.Ordinal) < 0;
        int position = pg.Position + Math.Max(found, 0);
        if (pg.Position > 0 && placed && position <= sql.Length + 1)
        {
            string before = sql[..(position - 1)];
            int line = before.Count(c => c == '\n') + 1;
            int column = before.Length - (before.LastIndexOf('\n') + 1) + 1;
            message += string.Create(CultureInfo.InvariantCulture, $" at character {position} (line {line}, column {column})");
        }
        else if (pg.Position > 0)
        {
            message += string.Create(CultureInfo.InvariantCulture, $" at character {pg.Position} of the failing statement");
        }

        return new OpsToolsException(id, kind, message, mapped.Target, advice, pg);
    }

    private static object? ToParameterValue(object? value) => value switch
    {
        null => DBNull.Value,
        object[] items when items.Length > 0 && items.All(i => i is not null && i.GetType() == items[0].GetType()) => TypedArray(items),
        _ => value,
    };

    private static Array TypedArray(object[] items)
    {
        var typed = Array.CreateInstance(items[0].GetType(), items.Length);
        Array.Copy(items, typed, items.Length);
        return typed;
    }

    private static object? ToValue(object value, string dataTypeName) => value switch
    {
        DBNull => null,
        DateTime time when dataTypeName.StartsWith("timestamp with time zone", StringComparison.Ordinal) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => value,
    };

    private static IReadOnlyList<string> UniqueNames(IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var unique = new List<string>();
        foreach (string name in names)
        {
            string candidate = name;
            for (int n = 1; !seen.Add(candidate); n++)
            {
                candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{n}");
            }

            unique.Add(candidate);
        }

        return unique;
    }
}
