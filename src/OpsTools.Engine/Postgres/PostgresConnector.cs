using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace OpsTools.Engine.Postgres;

/// <summary>Opens connections under the endpoint's timeout and runs statements, mapping every failure.</summary>
internal static class PostgresConnector
{
    /// <summary>Opens a connection; the whole open (DNS, TCP, SSL, authentication) runs under the endpoint's timeout.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(endpoint.ConnectionString);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.Timeout);
        try
        {
            await connection.OpenAsync(timeout.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (PostgresErrorMapper.Map(ex, endpoint, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            throw;
        }
    }

    /// <summary>Creates a command with named parameters (null becomes DBNull).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        return command;
    }

    /// <summary>Runs a query and maps each row.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        NpgsqlConnection connection, PostgresEndpoint endpoint, string sql, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await using NpgsqlCommand command = Command(connection, sql, parameters);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
        catch (Exception ex) when (PostgresErrorMapper.Map(ex, endpoint, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Runs a statement and returns the affected row count.</summary>
    public static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, PostgresEndpoint endpoint, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await using NpgsqlCommand command = Command(connection, sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresErrorMapper.Map(ex, endpoint, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Reads a nullable column.</summary>
    public static T? Get<T>(NpgsqlDataReader reader, string column)
    {
        int ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? default : reader.GetFieldValue<T>(ordinal);
    }

    /// <summary>Reads a nullable value-type column.</summary>
    public static T? GetValue<T>(NpgsqlDataReader reader, string column)
        where T : struct
    {
        int ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
    }

    /// <summary>Reads a timestamptz column as a UTC offset.</summary>
    public static DateTimeOffset? GetTime(NpgsqlDataReader reader, string column)
    {
        int ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
    }

    /// <summary>Reads an integer column whatever its width (the platform's schema may use int or bigint).</summary>
    public static int? GetInt(NpgsqlDataReader reader, string column)
    {
        int ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>First word of a server_version string: <c>15.18 (Debian ...)</c> gives <c>15.18</c>.</summary>
    public static string? ShortVersion(string? serverVersion)
    {
        if (string.IsNullOrWhiteSpace(serverVersion))
        {
            return null;
        }

        string trimmed = serverVersion.Trim();
        int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? trimmed[..space] : trimmed;
    }
}
