using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Net;
using OpsTools.Engine.Health;

namespace OpsTools.Infrastructure;

/// <summary>A mistake in the report configuration, with the key (<c>Swarm.FailedTaskWindow</c>) it is about.</summary>
internal sealed class OpsHealthConfigurationException : Exception
{
    public OpsHealthConfigurationException(string key, string message)
        : base(message)
    {
        Key = key;
    }

    public string Key { get; }
}

/// <summary>
/// Reads the report configuration (<c>ops-health.psd1</c>, or a hashtable) into the engine's
/// options. A PowerShell data file is parsed, never run (like Import-PowerShellDataFile). Every
/// key is checked: a misspelt key or a value of the wrong kind is an error naming the key, so a
/// typo cannot silently switch a check off.
/// </summary>
internal static class OpsHealthConfiguration
{
    private static readonly string[] TopLevelKeys = { "DockerHost", "PlatformServer", "Swarm", "Nodes", "Pools", "Ceph", "Backups", "Compose", "Endpoints", "Redis", "Queues" };

    /// <summary>Parses a .psd1 file without running it.</summary>
    public static Hashtable ReadDataFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Report configuration {path} does not exist.", path);
        }

        ScriptBlockAst ast = Parser.ParseFile(path, out _, out ParseError[] errors);
        if (errors.Length > 0)
        {
            ParseError first = errors[0];
            throw new OpsHealthConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"line {first.Extent.StartLineNumber}"),
                string.Create(CultureInfo.InvariantCulture, $"{path} line {first.Extent.StartLineNumber}: {first.Message}"));
        }

        if (ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) is not HashtableAst table)
        {
            throw new OpsHealthConfigurationException("(file)", $"{path} holds no hashtable: the file must be one @{{ ... }}.");
        }

        try
        {
            return (Hashtable)table.SafeGetValue();
        }
        catch (InvalidOperationException ex)
        {
            throw new OpsHealthConfigurationException("(file)", $"{path}: {ex.Message} A data file may hold only constants, arrays and hashtables.");
        }
    }

    /// <summary>Builds the options from the configuration.</summary>
    /// <param name="configuration">Top-level hashtable.</param>
    /// <param name="platformCredential">-PlatformCredential, or null for PG variables and .pgpass.</param>
    /// <param name="layers">Layers to keep (null: every configured one).</param>
    public static OpsHealthReportOptions ToOptions(Hashtable configuration, NetworkCredential? platformCredential, ISet<string>? layers)
    {
        var root = new Section(configuration, string.Empty);
        root.CheckKeys(TopLevelKeys);
        string? dockerHost = root.String("DockerHost");
        string? platformServer = root.String("PlatformServer");
        bool Wanted(string layer) => layers is null || layers.Contains(layer);

        SwarmHealthOptions? swarm = null;
        if (root.Child("Swarm") is Section s && Wanted("Swarm"))
        {
            s.CheckKeys("DockerHost", "Services", "ExcludeServices", "FailedTaskWindow");
            swarm = new SwarmHealthOptions
            {
                DockerHost = s.String("DockerHost") ?? dockerHost,
                IncludeService = s.NameFilter("Services", "ExcludeServices"),
                FailedTaskWindow = s.Duration("FailedTaskWindow") ?? TimeSpan.FromHours(1),
            };
        }

        NodeHealthOptions? nodes = null;
        if (root.Child("Nodes") is Section n && Wanted("Node"))
        {
            n.CheckKeys("DockerHost", "ReportDrained");
            nodes = new NodeHealthOptions { DockerHost = n.String("DockerHost") ?? dockerHost, ReportDrained = n.Bool("ReportDrained") ?? true };
        }

        PoolHealthOptions? pools = null;
        if (root.Child("Pools") is Section p && Wanted("Pool"))
        {
            p.CheckKeys("PlatformServer", "Pools", "ExcludePools", "Timeout", "ThrottleLimit");
            pools = new PoolHealthOptions
            {
                PlatformServer = p.String("PlatformServer") ?? platformServer ?? throw new OpsHealthConfigurationException("Pools.PlatformServer", "Pools needs the platform database: set PlatformServer at the top of the configuration or in Pools."),
                PlatformCredential = platformCredential,
                IncludePool = p.NameFilter("Pools", "ExcludePools"),
                Timeout = p.Duration("Timeout") ?? TimeSpan.FromSeconds(5),
                ThrottleLimit = p.Int("ThrottleLimit", 1, 256) ?? 8,
            };
        }

        CephHealthOptions? ceph = null;
        if (root.Child("Ceph") is Section c && Wanted("Ceph"))
        {
            c.CheckKeys("Cluster", "ConfigPath", "Keyring", "Id", "Timeout", "CheckCluster", "QuotaRoots", "QuotaWarningPercent", "QuotaCriticalPercent");
            double warning = c.Double("QuotaWarningPercent", 0, 1000) ?? 85;
            double critical = c.Double("QuotaCriticalPercent", 0, 1000) ?? 95;
            if (critical < warning)
            {
                throw new OpsHealthConfigurationException("Ceph.QuotaCriticalPercent", string.Create(CultureInfo.InvariantCulture, $"Ceph.QuotaCriticalPercent ({critical}) is below Ceph.QuotaWarningPercent ({warning})."));
            }

            ceph = new CephHealthOptions
            {
                Cluster = c.String("Cluster"),
                ConfigPath = c.String("ConfigPath"),
                Keyring = c.String("Keyring"),
                Id = c.String("Id"),
                Timeout = c.Duration("Timeout") ?? TimeSpan.FromSeconds(10),
                CheckCluster = c.Bool("CheckCluster") ?? true,
                QuotaRoots = c.Strings("QuotaRoots"),
                QuotaWarningPercent = warning,
                QuotaCriticalPercent = critical,
            };
        }

        BackupHealthOptions? backups = null;
        if (root.Child("Backups") is Section b && Wanted("Backup"))
        {
            b.CheckKeys("Paths", "MaxAge", "Instances", "ExcludeInstances", "PlatformServer");
            IReadOnlyList<string> paths = b.Strings("Paths");
            if (paths.Count == 0)
            {
                throw new OpsHealthConfigurationException("Backups.Paths", "Backups needs Paths: the backup directories, e.g. Paths = '/mnt/cephfs/odoo_backups/active'.");
            }

            backups = new BackupHealthOptions
            {
                Paths = paths,
                MaxAge = b.Duration("MaxAge") ?? TimeSpan.FromHours(26),
                IncludeInstance = b.NameFilter("Instances", "ExcludeInstances"),
                PlatformServer = b.Has("PlatformServer") ? b.String("PlatformServer") : platformServer,
                PlatformCredential = platformCredential,
            };
        }

        ComposeHealthOptions? compose = null;
        if (root.Child("Compose") is Section cp && Wanted("Compose"))
        {
            cp.CheckKeys("DockerHost", "Projects", "ExcludeProjects");
            compose = new ComposeHealthOptions { DockerHost = cp.String("DockerHost") ?? dockerHost, IncludeProject = cp.NameFilter("Projects", "ExcludeProjects") };
        }

        EndpointHealthOptions? endpoints = null;
        if (root.Child("Endpoints") is Section e && Wanted("Endpoint"))
        {
            e.CheckKeys("Targets", "Timeout", "ThrottleLimit", "SkipCertificateCheck");
            var targets = new List<EndpointHealthTarget>();
            foreach ((Section? target, string? uriText, string key) in e.Items("Targets"))
            {
                Section? t = target;
                t?.CheckKeys("Uri", "ExpectStatus", "ExpectJson");
                string text = uriText ?? t!.String("Uri") ?? throw new OpsHealthConfigurationException(key + ".Uri", $"{key} needs Uri.");
                if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new OpsHealthConfigurationException(key, $"{key} is '{text}'; it must be an absolute http:// or https:// URI.");
                }

                targets.Add(new EndpointHealthTarget(uri, t?.Ints("ExpectStatus", 100, 599) ?? Array.Empty<int>(), t?.Map("ExpectJson") ?? new Dictionary<string, object?>()));
            }

            if (targets.Count == 0)
            {
                throw new OpsHealthConfigurationException("Endpoints.Targets", "Endpoints needs Targets: URIs, or hashtables with Uri, ExpectStatus and ExpectJson.");
            }

            endpoints = new EndpointHealthOptions
            {
                Targets = targets,
                Timeout = e.Duration("Timeout") ?? TimeSpan.FromSeconds(5),
                ThrottleLimit = e.Int("ThrottleLimit", 1, 256) ?? 16,
                SkipCertificateCheck = e.Bool("SkipCertificateCheck") ?? false,
            };
        }

        var redis = new List<RedisHealthOptions>();
        if (Wanted("Redis"))
        {
            foreach ((Section? item, string? server, string key) in root.Items("Redis"))
            {
                item?.CheckKeys("Server", "PasswordVariable", "Timeout", "MemoryWarningPercent");
                redis.Add(new RedisHealthOptions
                {
                    Server = server ?? item!.String("Server") ?? throw new OpsHealthConfigurationException(key + ".Server", $"{key} needs Server (host:port)."),
                    Credential = item?.PasswordFromVariable("PasswordVariable"),
                    Timeout = item?.Duration("Timeout") ?? TimeSpan.FromSeconds(5),
                    MemoryWarningPercent = item?.Double("MemoryWarningPercent", 1, 100) ?? 90,
                });
            }
        }

        var queues = new List<QueueHealthOptions>();
        if (Wanted("Queue"))
        {
            foreach ((Section? item, string? _, string key) in root.Items("Queues"))
            {
                Section q = item ?? throw new OpsHealthConfigurationException(key, $"{key} must be a hashtable with Celery = '<broker>' or PostgresServer, Database and Table.");
                q.CheckKeys("Celery", "Queues", "PasswordVariable", "PostgresServer", "Database", "Table", "StatusColumn", "CreatedColumn", "PendingStatus", "MaxLength", "MaxAge", "Timeout");
                string? broker = q.String("Celery");
                string? postgres = q.String("PostgresServer");
                if ((broker is null) == (postgres is null))
                {
                    throw new OpsHealthConfigurationException(key, $"{key} needs exactly one of Celery (a redis:// broker) and PostgresServer (with Database and Table).");
                }

                long? maxLength = q.Int("MaxLength", 0, int.MaxValue);
                TimeSpan? maxAge = q.Duration("MaxAge");
                TimeSpan timeout = q.Duration("Timeout") ?? TimeSpan.FromSeconds(5);
                queues.Add(broker is not null
                    ? new QueueHealthOptions { Kind = QueueKind.Celery, Server = broker, Queues = q.Strings("Queues"), Credential = q.PasswordFromVariable("PasswordVariable"), MaxLength = maxLength, MaxAge = maxAge, Timeout = timeout }
                    : new QueueHealthOptions
                    {
                        Kind = QueueKind.PostgresTable,
                        Server = postgres!,
                        Database = q.String("Database") ?? throw new OpsHealthConfigurationException(key + ".Database", $"{key} needs Database."),
                        Table = q.String("Table") ?? throw new OpsHealthConfigurationException(key + ".Table", $"{key} needs Table."),
                        StatusColumn = q.String("StatusColumn") ?? "status",
                        CreatedColumn = q.String("CreatedColumn") ?? "created_at",
                        PendingStatus = q.Has("PendingStatus") ? q.Strings("PendingStatus") : new[] { "pending", "queued" },
                        MaxLength = maxLength,
                        MaxAge = maxAge,
                        Timeout = timeout,
                    });
            }
        }

        return new OpsHealthReportOptions { Swarm = swarm, Nodes = nodes, Pools = pools, Ceph = ceph, Backups = backups, Compose = compose, Endpoints = endpoints, Redis = redis, Queues = queues };
    }

    /// <summary>One hashtable of the configuration, read with the key path kept for messages.</summary>
    private sealed class Section
    {
        private readonly Hashtable _table;
        private readonly string _path;

        public Section(Hashtable table, string path)
        {
            _table = table;
            _path = path;
        }

        public void CheckKeys(params string[] known)
        {
            foreach (object key in _table.Keys)
            {
                string name = key.ToString() ?? string.Empty;
                if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new OpsHealthConfigurationException(
                        Key(name),
                        $"Unknown key '{Key(name)}'. Known keys{(_path.Length == 0 ? string.Empty : " of " + _path)}: {string.Join(", ", known)}.");
                }
            }
        }

        public bool Has(string name) => Find(name, out _);

        public Section? Child(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            return value is Hashtable table
                ? new Section(table, Key(name))
                : throw Wrong(name, value, "a hashtable (@{ ... }); @{} turns the layer on with its defaults");
        }

        public string? String(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            return value is string text && text.Trim().Length > 0 ? text : throw Wrong(name, value, "a non-empty string");
        }

        public IReadOnlyList<string> Strings(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return Array.Empty<string>();
            }

            IEnumerable items = value is string single ? new[] { single } : value as IEnumerable ?? throw Wrong(name, value, "a string or an array of strings");
            var list = new List<string>();
            foreach (object? item in items)
            {
                list.Add(item is string text && text.Length > 0 ? text : throw Wrong(name, item, "a string or an array of strings"));
            }

            return list;
        }

        public Func<string, bool>? NameFilter(string includeKey, string excludeKey)
        {
            WildcardPattern[] include = Strings(includeKey).Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
            WildcardPattern[] exclude = Strings(excludeKey).Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
            if (include.Length == 0 && exclude.Length == 0)
            {
                return null;
            }

            return name => (include.Length == 0 || include.Any(p => p.IsMatch(name))) && !exclude.Any(p => p.IsMatch(name));
        }

        /// <summary>A list of hashtables or strings (a single one also counts), each with its key path (<c>Queues[1]</c>).</summary>
        public IReadOnlyList<(Section? Table, string? Text, string Key)> Items(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return Array.Empty<(Section?, string?, string)>();
            }

            IEnumerable items = value is string or Hashtable ? new[] { value } : value as IEnumerable ?? throw Wrong(name, value, "a hashtable, a string, or an array of them");
            var list = new List<(Section?, string?, string)>();
            int index = 0;
            foreach (object? raw in items)
            {
                object? item = raw is PSObject ps ? ps.BaseObject : raw;
                string key = string.Create(CultureInfo.InvariantCulture, $"{Key(name)}[{index++}]");
                list.Add(item switch
                {
                    Hashtable table => (new Section(table, key), null, key),
                    string text when text.Trim().Length > 0 => (null, text, key),
                    _ => throw new OpsHealthConfigurationException(key, $"{key} is '{item}'; it must be a hashtable or a string."),
                });
            }

            return list;
        }

        public IReadOnlyList<int>? Ints(string name, int minimum, int maximum)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            IEnumerable items = value is IEnumerable list and not string ? list : new[] { value };
            var result = new List<int>();
            foreach (object? raw in items)
            {
                object? item = raw is PSObject ps ? ps.BaseObject : raw;
                result.Add(item is int number && number >= minimum && number <= maximum
                    ? number
                    : throw Wrong(name, item, string.Create(CultureInfo.InvariantCulture, $"whole numbers from {minimum} to {maximum}")));
            }

            return result;
        }

        public IReadOnlyDictionary<string, object?>? Map(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            if (value is not Hashtable table)
            {
                throw Wrong(name, value, "a hashtable of JSON property names and values");
            }

            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                map[entry.Key.ToString() ?? string.Empty] = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            }

            return map;
        }

        /// <summary>The password held by the environment variable the key names (the file never holds a secret).</summary>
        public NetworkCredential? PasswordFromVariable(string name)
        {
            string? variable = String(name);
            if (variable is null)
            {
                return null;
            }

            string? password = Environment.GetEnvironmentVariable(variable);
            return string.IsNullOrEmpty(password)
                ? throw new OpsHealthConfigurationException(Key(name), $"{Key(name)} names the environment variable '{variable}', which is not set.")
                : new NetworkCredential(string.Empty, password);
        }

        public TimeSpan? Duration(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            return DurationTransformationAttribute.ToDuration(value) is TimeSpan span && span > TimeSpan.Zero
                ? span
                : throw Wrong(name, value, "a positive duration such as '30s', '15m', '26h', '2d' or a number of seconds");
        }

        public bool? Bool(string name)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            return value is bool flag ? flag : throw Wrong(name, value, "$true or $false");
        }

        public int? Int(string name, int minimum, int maximum)
        {
            double? number = Double(name, minimum, maximum);
            return number is double d && d == Math.Floor(d) ? (int)d : number is null ? null : throw Wrong(name, number, "a whole number");
        }

        public double? Double(string name, double minimum, double maximum)
        {
            if (!Find(name, out object? value) || value is null)
            {
                return null;
            }

            double number = value switch
            {
                int or long or double or decimal or float => Convert.ToDouble(value, CultureInfo.InvariantCulture),
                _ => throw Wrong(name, value, "a number"),
            };
            return number >= minimum && number <= maximum
                ? number
                : throw Wrong(name, value, string.Create(CultureInfo.InvariantCulture, $"a number from {minimum} to {maximum}"));
        }

        private bool Find(string name, out object? value)
        {
            foreach (DictionaryEntry entry in _table)
            {
                if (string.Equals(entry.Key.ToString(), name, StringComparison.OrdinalIgnoreCase))
                {
                    value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        private string Key(string name) => _path.Length == 0 ? name : _path + "." + name;

        private OpsHealthConfigurationException Wrong(string name, object? value, string expected) =>
            new(Key(name), $"{Key(name)} is '{value}'; it must be {expected}.");
    }
}
