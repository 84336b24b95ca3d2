using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// The settings a server text names, in any of the forms operators write: <c>host</c>,
/// <c>host:port</c>, <c>[::1]:5432</c>, a libpq keyword/value string
/// (<c>host=db port=5432 sslmode=require</c>), a URI (<c>postgresql://user@db:5432/instance</c>) or
/// an Npgsql connection string (<c>Host=db;Port=5432</c>). Keys are matched without case, spaces or
/// underscores, so libpq and Npgsql spellings both work.
/// </summary>
internal sealed class PostgresServerText
{
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["host"] = "host", ["server"] = "host",
        ["hostaddr"] = "hostaddr",
        ["port"] = "port",
        ["dbname"] = "dbname", ["database"] = "dbname", ["db"] = "dbname",
        ["user"] = "user", ["username"] = "user", ["userid"] = "user", ["uid"] = "user",
        ["password"] = "password", ["pwd"] = "password", ["psw"] = "password",
        ["passfile"] = "passfile",
        ["sslmode"] = "sslmode",
        ["sslrootcert"] = "sslrootcert", ["rootcertificate"] = "sslrootcert",
        ["sslcert"] = "sslcert", ["sslcertificate"] = "sslcert",
        ["sslkey"] = "sslkey",
        ["connecttimeout"] = "connect_timeout", ["timeout"] = "connect_timeout",
        ["applicationname"] = "application_name",
    };

    public string? Host { get; private set; }
    public int? Port { get; private set; }
    public string? Database { get; private set; }
    public string? User { get; private set; }
    public string? Password { get; private set; }
    public string? PassFile { get; private set; }
    public string? SslMode { get; private set; }
    public string? SslRootCert { get; private set; }
    public string? SslCert { get; private set; }
    public string? SslKey { get; private set; }
    public int? ConnectTimeoutSeconds { get; private set; }
    public string? ApplicationName { get; private set; }

    /// <summary>Npgsql keywords with no libpq equivalent (Keepalive, Include Error Detail...), passed through as given.</summary>
    public Dictionary<string, string> NpgsqlOptions { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses a server text; throws <see cref="FormatException"/> with an operator-facing reason.</summary>
    public static PostgresServerText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        var parsed = new PostgresServerText();
        if (trimmed.Length == 0)
        {
            throw new FormatException("it is empty");
        }

        if (trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            parsed.ParseUri(trimmed);
        }
        else if (trimmed.Contains(';', StringComparison.Ordinal))
        {
            var builder = new DbConnectionStringBuilder();
            try
            {
                builder.ConnectionString = trimmed;
            }
            catch (ArgumentException ex)
            {
                throw new FormatException("it is not a valid connection string (" + ex.Message + ")", ex);
            }

            foreach (string key in builder.Keys)
            {
                parsed.Set(key, Convert.ToString(builder[key], CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }
        else if (trimmed.Contains('=', StringComparison.Ordinal))
        {
            foreach ((string key, string value) in ParseKeywordValue(trimmed))
            {
                parsed.Set(key, value);
            }
        }
        else
        {
            parsed.ParseHostPort(trimmed);
        }

        return parsed;
    }

    private void ParseHostPort(string text)
    {
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException("an IPv6 address in brackets is not closed");
            }

            Host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new FormatException("only :port may follow [address]");
                }

                Port = ParsePort(rest[1..]);
            }

            return;
        }

        if (text.StartsWith('/'))
        {
            // A socket directory, optionally with :port as pg_isready prints it.
            int last = text.LastIndexOf(':');
            if (last > 0 && last < text.Length - 1 && text[(last + 1)..].All(char.IsAsciiDigit))
            {
                Host = text[..last];
                Port = ParsePort(text[(last + 1)..]);
            }
            else
            {
                Host = text;
            }

            return;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && text.IndexOf(':', colon + 1) < 0)
        {
            Host = text[..colon];
            Port = ParsePort(text[(colon + 1)..]);
        }
        else
        {
            // A bare IPv6 address (several colons).
            Host = text;
        }

        if (string.IsNullOrWhiteSpace(Host) || Host.Any(char.IsWhiteSpace))
        {
            throw new FormatException("the host name is empty or contains spaces");
        }
    }

    private void ParseUri(string text)
    {
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal) + 3;
        string rest = text[schemeEnd..];
        string? query = null;
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        string? path = null;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = rest[..at];
            rest = rest[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                Set("user", Decode(userInfo[..colon]));
                Set("password", Decode(userInfo[(colon + 1)..]));
            }
            else if (userInfo.Length > 0)
            {
                Set("user", Decode(userInfo));
            }
        }

        if (rest.Contains(',', StringComparison.Ordinal))
        {
            throw new FormatException("several hosts in one URI are not supported; give one host");
        }

        if (rest.Length > 0)
        {
            string decoded = Decode(rest);
            if (decoded.StartsWith('/'))
            {
                Host = decoded;
            }
            else
            {
                ParseHostPort(rest);
                Host = Decode(Host!);
            }
        }

        if (!string.IsNullOrEmpty(path))
        {
            Set("dbname", Decode(path));
        }

        if (query is not null)
        {
            foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new FormatException("a parameter in the URI query is not key=value");
                }

                Set(Decode(pair[..eq]), Decode(pair[(eq + 1)..]));
            }
        }
    }

    private static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException ex)
        {
            throw new FormatException("the URI has an invalid %-escape", ex);
        }
    }

    /// <summary>libpq's keyword = value syntax: values may be single-quoted; backslash escapes quote and backslash.</summary>
    internal static List<(string Key, string Value)> ParseKeywordValue(string text)
    {
        var result = new List<(string, string)>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return result;
            }

            int keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            string key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '=' || key.Length == 0)
            {
                // Position, not text: a broken string may hold part of a password here.
                throw new FormatException($"the word at position {keyStart + 1} is not keyword=value");
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                bool closed = false;
                while (i < text.Length)
                {
                    char c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        value.Append(text[i++]);
                    }
                    else if (c == '\'')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!closed)
                {
                    throw new FormatException($"the quoted value of '{key}' is not closed");
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    char c = text[i++];
                    if (c == '\\' && i < text.Length)
                    {
                        value.Append(text[i++]);
                    }
                    else
                    {
                        value.Append(c);
                    }
                }
            }

            result.Add((key, value.ToString()));
        }
    }

    private void Set(string key, string value)
    {
        string normalized = key.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        if (!Synonyms.TryGetValue(normalized, out string? canonical))
        {
            NpgsqlOptions[key.Trim()] = value;
            return;
        }

        switch (canonical)
        {
            case "host":
                Host = value;
                break;
            case "hostaddr":
                Host ??= value;
                break;
            case "port":
                Port = ParsePort(value);
                break;
            case "dbname":
                Database = value;
                break;
            case "user":
                User = value;
                break;
            case "password":
                Password = value;
                break;
            case "passfile":
                PassFile = value;
                break;
            case "sslmode":
                SslMode = value;
                break;
            case "sslrootcert":
                SslRootCert = value;
                break;
            case "sslcert":
                SslCert = value;
                break;
            case "sslkey":
                SslKey = value;
                break;
            case "connect_timeout":
                ConnectTimeoutSeconds = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
                    ? seconds
                    : throw new FormatException($"connect_timeout '{value}' is not a number of seconds");
                break;
            case "application_name":
                ApplicationName = value;
                break;
        }
    }

    internal static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"'{text}' is not a port number (1-65535)");
}
