using System;
using System.Globalization;
using System.Linq;
using System.Net;

namespace OpsTools.Engine.Redis;

/// <summary>
/// A Redis server as operators write it: <c>host</c>, <c>host:port</c>, <c>[::1]:6379</c>, or a
/// URI <c>redis://[user[:password]@]host[:port][/db]</c> (<c>rediss://</c> for TLS), the form
/// Celery's <c>broker_url</c> uses. The password of a URI is kept for connecting and never shown:
/// <see cref="Display"/> and <see cref="ToString"/> leave it out.
/// </summary>
public sealed class RedisEndpoint
{
    /// <summary>Redis's default port.</summary>
    public const int DefaultPort = 6379;

    private RedisEndpoint(string host, int port, int? database, bool useTls, string? user, string? password)
    {
        Host = host;
        Port = port;
        Database = database;
        UseTls = useTls;
        User = user;
        Password = password;
    }

    /// <summary>Host name or address (without brackets).</summary>
    public string Host { get; }

    /// <summary>TCP port.</summary>
    public int Port { get; }

    /// <summary>Database number of a URI path (<c>/0</c>), else null.</summary>
    public int? Database { get; }

    /// <summary>True for <c>rediss://</c>.</summary>
    public bool UseTls { get; }

    /// <summary>ACL user, when one is known.</summary>
    public string? User { get; private set; }

    /// <summary>Password, when one is known. Never displayed.</summary>
    public string? Password { get; private set; }

    /// <summary><c>host:port</c>, as redis-cli names a server.</summary>
    public string Display => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The URI form without credentials: <c>redis://host:port/db</c>.</summary>
    public string SafeUri => (UseTls ? "rediss://" : "redis://") + Display + "/" + (Database ?? 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a server text.</summary>
    /// <param name="server">The text.</param>
    /// <param name="credential">Credential that wins over a URI's user and password; a user of <c>default</c> or none means plain <c>AUTH password</c>.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="OpsToolsException"><c>RedisServerInvalid</c> (InvalidArgument).</exception>
    public static RedisEndpoint Parse(string server, NetworkCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        string text = server.Trim();
        RedisEndpoint endpoint = text.Contains("://", StringComparison.Ordinal) ? ParseUri(text, server) : ParseHostPort(text, server);
        if (credential is not null)
        {
            endpoint.User = string.IsNullOrEmpty(credential.UserName) || credential.UserName == "default" ? null : credential.UserName;
            endpoint.Password = credential.Password;
        }

        return endpoint;
    }

    /// <inheritdoc/>
    public override string ToString() => Display;

    private static RedisEndpoint ParseUri(string text, string original)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(original, "is not a redis:// or rediss:// URI with a host");
        }

        int? database = null;
        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out int db) || db > 15_999)
            {
                throw Invalid(original, "has a path that is not a database number (redis://host:6379/0)");
            }

            database = db;
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                user = parts[0].Length == 0 || parts[0] == "default" ? null : Uri.UnescapeDataString(parts[0]);
                password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                // redis://secret@host: a lone user-info part is the password, as redis-py reads it.
                password = Uri.UnescapeDataString(parts[0]);
            }
        }

        string host = uri.Host.Trim('[', ']');
        return new RedisEndpoint(host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, database, uri.Scheme == "rediss", user, password);
    }

    private static RedisEndpoint ParseHostPort(string text, string original)
    {
        if (text.Length == 0 || text.Contains('@', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(original, "is not host, host:port or a redis:// URI");
        }

        string host = text;
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(original, "opens an IPv6 bracket it does not close");
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                portText = rest.StartsWith(':') ? rest[1..] : throw Invalid(original, "has text after the IPv6 address that is not :port");
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        int port = DefaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw Invalid(original, $"has a port '{portText}' that is not a number from 1 to 65535");
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            throw Invalid(original, "has no host name");
        }

        return new RedisEndpoint(host, port, null, false, null, null);
    }

    private static OpsToolsException Invalid(string text, string reason) => new(
        "RedisServerInvalid",
        OpsToolsErrorKind.InvalidArgument,
        $"The Redis server '{RedactUserInfo(text)}' {reason}.",
        RedactUserInfo(text),
        "Give host, host:port, [IPv6]:port or redis://host:port/db; pass the password with -Credential.");

    /// <summary>The text with any <c>user:password@</c> part masked, for messages.</summary>
    /// <param name="text">A server or broker text.</param>
    /// <returns>The text, safe to show.</returns>
    public static string RedactUserInfo(string text)
    {
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        int at = text.LastIndexOf('@');
        return scheme >= 0 && at > scheme ? text[..(scheme + 3)] + "***@" + text[(at + 1)..] : text;
    }
}
