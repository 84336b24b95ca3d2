using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// The PostgreSQL client programs (pg_dump, pg_restore, psql) of this machine: finds the build whose
/// major version can work with a server, and runs them with the connection in their environment.
/// Nothing here knows about Odoo; a plain database backup uses the same calls.
/// </summary>
public static partial class PostgresClientTools
{
    /// <summary>Directories searched for versioned client builds (Debian's layout), newest first.</summary>
    private const string VersionedRoot = "/usr/lib/postgresql";

    /// <summary>
    /// Finds a client program that can work with a server of the given major version: the build of
    /// that major version when installed, else the newest one that is at least as new (pg_dump reads
    /// older servers, never newer ones), else the one on PATH.
    /// </summary>
    /// <param name="program">pg_dump, pg_restore or psql.</param>
    /// <param name="serverMajor">Major version of the server (15 for 15.18).</param>
    /// <param name="cancellationToken">Cancels the version probe.</param>
    /// <returns>Path and version of the program.</returns>
    /// <exception cref="OpsToolsException"><c>PostgresClientNotFound</c>, <c>PostgresClientTooOld</c>.</exception>
    public static async Task<PostgresClientProgram> FindAsync(string program, int serverMajor, CancellationToken cancellationToken = default)
    {
        var candidates = new List<string>();
        if (Directory.Exists(VersionedRoot))
        {
            candidates.AddRange(Directory.GetDirectories(VersionedRoot)
                .Select(d => (Dir: d, Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out int m) ? m : -1))
                .Where(d => d.Major >= 0)
                .OrderBy(d => d.Major == serverMajor ? 0 : 1)
                .ThenByDescending(d => d.Major)
                .Select(d => Path.Combine(d.Dir, "bin", program)));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)));
        PostgresClientProgram? newest = null;
        foreach (string candidate in candidates.Where(File.Exists).Distinct(StringComparer.Ordinal))
        {
            PostgresClientProgram found = await ProbeAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (found.Major >= serverMajor)
            {
                return found;
            }

            if (newest is null || found.Major > newest.Major)
            {
                newest = found;
            }
        }

        if (newest is null)
        {
            throw new OpsToolsException(
                "PostgresClientNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"{program} was not found in {VersionedRoot}/*/bin or on PATH.",
                program,
                $"Install the PostgreSQL client of version {serverMajor} or newer (Debian: apt-get install postgresql-client-{serverMajor}).");
        }

        throw new OpsToolsException(
            "PostgresClientTooOld",
            OpsToolsErrorKind.NotImplemented,
            $"{program} {newest.Version} ({newest.Path}) cannot work with a PostgreSQL {serverMajor} server: {program} must be of the server's major version or newer.",
            newest.Path,
            $"Install the PostgreSQL {serverMajor} client (Debian: apt-get install postgresql-client-{serverMajor}), or run the dump inside the database's container with -Service or -Container.");
    }

    /// <summary>Reads the version a client program reports (<c>pg_dump (PostgreSQL) 15.18 (Debian ...)</c>).</summary>
    /// <param name="path">Program path.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The program.</returns>
    public static async Task<PostgresClientProgram> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--version");
        using Process process = Process.Start(info) ?? throw new InvalidOperationException(path + " did not start");
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        Match match = VersionPattern().Match(output);
        if (process.ExitCode != 0 || !match.Success)
        {
            throw new OpsToolsException(
                "PostgresClientInvalid",
                OpsToolsErrorKind.InvalidData,
                $"{path} --version did not report a PostgreSQL version: {output.Trim()}",
                path,
                "Check the PostgreSQL client installation.");
        }

        return new PostgresClientProgram(path, match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Major version of a server_version_num (150018 gives 15; 90624 gives 9).</summary>
    /// <param name="serverVersionNumber">server_version_num.</param>
    /// <returns>The major version.</returns>
    public static int MajorOf(int serverVersionNumber) => serverVersionNumber / 10000;

    /// <summary>
    /// Starts a client program connected where the endpoint points (through the libpq variables of its
    /// environment, the password included; nothing secret on its command line). Standard error is
    /// collected (the last 64 KiB) for the error message.
    /// </summary>
    /// <param name="program">The program.</param>
    /// <param name="endpoint">Where it connects.</param>
    /// <param name="arguments">Arguments.</param>
    /// <param name="redirectInput">Whether the caller writes its standard input.</param>
    /// <returns>The running program.</returns>
    public static PostgresClientProcess Start(PostgresClientProgram program, PostgresEndpoint endpoint, IEnumerable<string> arguments, bool redirectInput = false)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(program.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (KeyValuePair<string, string> variable in endpoint.ClientEnvironment())
        {
            info.Environment[variable.Key] = variable.Value;
        }

        info.Environment["PGPASSFILE"] = "/dev/null";
        Process process = Process.Start(info) ?? throw new InvalidOperationException(program.Path + " did not start");
        return new PostgresClientProcess(process, program, endpoint);
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+((\d+)(?:\.\d+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}

/// <summary>A PostgreSQL client program and its version.</summary>
/// <param name="Path">Path.</param>
/// <param name="Version">Version text (<c>15.18</c>).</param>
/// <param name="Major">Major version.</param>
public sealed record PostgresClientProgram(string Path, string Version, int Major)
{
    /// <summary>Program name (<c>pg_dump</c>).</summary>
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>A running client program: its output stream, its error text, its exit.</summary>
public sealed class PostgresClientProcess : IDisposable
{
    private const int ErrorTextLimit = 64 * 1024;
    private readonly Process _process;
    private readonly PostgresEndpoint _endpoint;
    private readonly Task<string> _standardError;

    internal PostgresClientProcess(Process process, PostgresClientProgram program, PostgresEndpoint endpoint)
    {
        _process = process;
        _endpoint = endpoint;
        Program = program;
        _standardError = ReadTailAsync(process.StandardError);
    }

    /// <summary>The program.</summary>
    public PostgresClientProgram Program { get; }

    /// <summary>Standard output, to be read by the caller.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>Standard input, when redirected.</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>Waits for the exit and throws a mapped error when the program failed.</summary>
    /// <param name="what">What the program was doing, for the message (<c>dumping opsodoo_x</c>).</param>
    /// <param name="cancellationToken">Kills the program when cancelled.</param>
    /// <returns>Standard error text (notices).</returns>
    public async Task<string> WaitAsync(string what, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        string errors = await _standardError.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            throw Failure(what, errors);
        }

        return errors;
    }

    /// <summary>The error for a failed run: the program's own first error line names the cause.</summary>
    /// <param name="what">What it was doing.</param>
    /// <param name="errors">Its standard error.</param>
    /// <returns>The error.</returns>
    public OpsToolsException Failure(string what, string errors)
    {
        string detail = Summarize(errors);
        bool lostServer = errors.Contains("server closed the connection", StringComparison.OrdinalIgnoreCase)
            || errors.Contains("terminating connection", StringComparison.OrdinalIgnoreCase)
            || errors.Contains("could not receive data", StringComparison.OrdinalIgnoreCase)
            || errors.Contains("connection to server", StringComparison.OrdinalIgnoreCase);
        bool authentication = errors.Contains("password authentication failed", StringComparison.OrdinalIgnoreCase)
            || errors.Contains("no password supplied", StringComparison.OrdinalIgnoreCase);
        bool versionMismatch = errors.Contains("server version mismatch", StringComparison.OrdinalIgnoreCase);
        (string id, OpsToolsErrorKind kind, string action) = (lostServer, authentication, versionMismatch) switch
        {
            (_, true, _) => ("PostgresAuthenticationFailed", OpsToolsErrorKind.AuthenticationError, "Check -Credential, PGPASSWORD or ~/.pgpass for this server and role."),
            (_, _, true) => ("PostgresClientTooOld", OpsToolsErrorKind.NotImplemented, "Install a client of the server's major version or newer."),
            (true, _, _) => ("PostgresConnectionLost", OpsToolsErrorKind.ConnectionError, $"Check that {_endpoint.Server} is up (Test-PostgresReady) and run the command again; nothing was kept under a final name."),
            _ => ("PostgresClientFailed", OpsToolsErrorKind.InvalidOperation, $"Read the {Program.Name} message above; fix its cause and run the command again."),
        };
        return new OpsToolsException(
            id,
            kind,
            $"{Program.Name} failed while {what} on {_endpoint.DisplayName} (exit code {_process.ExitCode}): {detail}",
            _endpoint.DisplayName,
            action);
    }

    /// <summary>Kills the program and its children, if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static string Summarize(string errors)
    {
        string[] lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] important = lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fatal", StringComparison.OrdinalIgnoreCase)).Take(3).ToArray();
        string text = string.Join(" ", important.Length > 0 ? important : lines.Take(3));
        return text.Length == 0 ? "(no message)" : text;
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > ErrorTextLimit)
            {
                text.Remove(0, text.Length - ErrorTextLimit);
            }
        }

        return text.ToString();
    }
}
