using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// libpq's password file (<c>~/.pgpass</c>, or PGPASSFILE): lines of
/// <c>hostname:port:database:username:password</c>, <c>*</c> matching anything, <c>\:</c> and
/// <c>\\</c> escaping, <c>#</c> starting a comment, the first matching line winning. As libpq does
/// on Unix, a file readable by group or others is ignored (with a warning).
/// </summary>
internal static class PgPassFile
{
    /// <summary>Finds the password for a connection, or null.</summary>
    /// <param name="path">The file.</param>
    /// <param name="host">Host, or socket directory (which also matches <c>localhost</c>).</param>
    /// <param name="port">Port.</param>
    /// <param name="database">Database.</param>
    /// <param name="user">User.</param>
    /// <param name="warnings">Receives why the file was ignored, if it was.</param>
    /// <returns>The password, or null when the file is missing, ignored or has no matching line.</returns>
    public static string? Lookup(string path, string host, int port, string database, string user, ICollection<string> warnings)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & GroupOrOthers) != 0)
            {
                warnings.Add($"The password file {path} is ignored because group or others may read it; run 'chmod 0600 {path}'.");
                return null;
            }
        }

        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool isSocket = host.StartsWith('/');
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            List<string> fields = Split(line);
            if (fields.Count < 5)
            {
                continue;
            }

            if (Matches(fields[0], host) || (isSocket && Matches(fields[0], "localhost")))
            {
                if (Matches(fields[1], portText) && Matches(fields[2], database) && Matches(fields[3], user))
                {
                    return fields[4];
                }
            }
        }

        return null;
    }

    private static bool Matches(string field, string value) => field == "*" || string.Equals(field, value, StringComparison.Ordinal);

    /// <summary>Splits on unescaped colons; the fifth field takes the rest of the line.</summary>
    internal static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
            }
            else if (c == ':' && fields.Count < 4)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }
}
