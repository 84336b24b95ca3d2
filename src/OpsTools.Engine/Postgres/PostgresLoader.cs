using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Loads a dump into an existing database with the real client programs, in one transaction that
/// stops at the first error: plain SQL through psql (ON_ERROR_STOP; its message names the input line),
/// a custom-format dump through pg_restore --exit-on-error. Owners are not restored (--no-owner):
/// the objects belong to the role that restores.
/// </summary>
public static class PostgresLoader
{
    private const int CopyBuffer = 1 << 16;

    /// <summary>Feeds plain SQL to psql's standard input.</summary>
    /// <param name="psql">The psql program.</param>
    /// <param name="target">The database.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="what">What is being done, for the error message.</param>
    /// <param name="cancellationToken">Ctrl+C: kills psql (the transaction is rolled back).</param>
    /// <returns>A task.</returns>
    /// <exception cref="OpsToolsException">psql's error, with its line, mapped by <see cref="PostgresClientProcess.Failure"/>.</exception>
    public static async Task LoadPlainAsync(PostgresClientProgram psql, PostgresEndpoint target, Stream sql, string what, CancellationToken cancellationToken = default)
    {
        System.ArgumentNullException.ThrowIfNull(sql);
        using PostgresClientProcess process = PostgresClientTools.Start(psql, target, new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-" }, redirectInput: true);
        Task drain = process.StandardOutput.CopyToAsync(Stream.Null, cancellationToken);
        try
        {
            await sql.CopyToAsync(process.StandardInput, CopyBuffer, cancellationToken).ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // psql stopped reading: it stopped on an error, which WaitAsync reports.
        }

        process.StandardInput.Close();
        await drain.ConfigureAwait(false);
        await process.WaitAsync(what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restores a custom-format dump file with pg_restore.</summary>
    /// <param name="pgRestore">The pg_restore program.</param>
    /// <param name="target">The database.</param>
    /// <param name="dumpFile">The dump file.</param>
    /// <param name="what">What is being done, for the error message.</param>
    /// <param name="cancellationToken">Ctrl+C: kills pg_restore.</param>
    /// <returns>A task.</returns>
    public static async Task LoadCustomAsync(PostgresClientProgram pgRestore, PostgresEndpoint target, string dumpFile, string what, CancellationToken cancellationToken = default)
    {
        System.ArgumentNullException.ThrowIfNull(target);
        using PostgresClientProcess process = PostgresClientTools.Start(pgRestore, target, new[] { "--no-owner", "--exit-on-error", "--single-transaction", "--dbname=" + target.Database, dumpFile });
        await process.StandardOutput.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        await process.WaitAsync(what, cancellationToken).ConfigureAwait(false);
    }
}
