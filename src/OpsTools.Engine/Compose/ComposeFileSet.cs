using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Compose;

/// <summary>
/// The files of one load: each is parsed, interpolated, checked for unknown keys, normalised
/// (short syntax expanded, relative paths made absolute) and has its <c>extends</c> resolved.
/// Files reached through <c>extends</c> are read once.
/// </summary>
internal sealed class ComposeFileSet
{
    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal) { "version", "name", "services", "networks", "volumes", "secrets", "configs" };

    private readonly string _projectDirectory;
    private readonly Func<string, string?> _lookup;
    private readonly bool _forSwarm;
    private readonly Dictionary<string, YMapping> _loaded = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public ComposeFileSet(string projectDirectory, Func<string, string?> lookup, bool forSwarm = true)
    {
        _projectDirectory = projectDirectory;
        _lookup = lookup;
        _forSwarm = forSwarm;
    }

    public IReadOnlyList<string> Warnings => _warnings;

    public async Task<YMapping> LoadAsync(string file, string baseDirectory, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(file, out YMapping? cached))
        {
            return (YMapping)cached.Clone();
        }

        string text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        YNode? node = YamlTreeReader.Read(text, file);
        if (node is not YMapping root)
        {
            throw ComposeErrors.ValueInvalid(node?.Mark ?? new SourceMark(file, 0, 0), "a compose file must be a mapping with a 'services' key.");
        }

        Interpolate(root);
        foreach (string key in root.Keys)
        {
            if (!TopLevelKeys.Contains(key) && !key.StartsWith("x-", StringComparison.Ordinal))
            {
                throw ComposeErrors.KeyUnknown(root.KeyMark(key), key, "the top level");
            }
        }

        if (root["services"] is YMapping services)
        {
            foreach (string name in services.Keys)
            {
                if (services[name] is not YMapping service)
                {
                    throw ComposeErrors.ValueInvalid(services.KeyMark(name), $"service '{name}' must be a mapping.");
                }

                ComposeNormalizer.NormalizeService(service, name, baseDirectory, Warn, _forSwarm);
            }
        }
        else if (root["services"] is { } notMapping && !(notMapping is YScalar { Value: null }))
        {
            throw ComposeErrors.ValueInvalid(notMapping.Mark, "'services' must be a mapping of service names.");
        }

        foreach (string section in new[] { "networks", "volumes", "secrets", "configs" })
        {
            ComposeNormalizer.NormalizeTopLevel(root, section, baseDirectory);
        }

        _loaded[file] = root;
        if (root["services"] is YMapping toExtend)
        {
            foreach (string name in new List<string>(toExtend.Keys))
            {
                await ResolveExtendsAsync(file, root, name, new List<string>(), cancellationToken).ConfigureAwait(false);
            }
        }

        return (YMapping)root.Clone();
    }

    private void Warn(string service, string key, string message)
    {
        if (_warned.Add(service + "\n" + key))
        {
            _warnings.Add(message);
        }
    }

    private async Task<YMapping> ResolveExtendsAsync(string file, YMapping root, string name, List<string> chain, CancellationToken cancellationToken)
    {
        var services = (YMapping)root["services"]!;
        if (services[name] is not YMapping service)
        {
            throw ComposeErrors.ValueInvalid(services.Mark, $"service '{name}' is not defined in {file}.");
        }

        if (service["extends"] is not { } extends)
        {
            return service;
        }

        string link = file + "#" + name;
        if (chain.Contains(link))
        {
            throw ComposeErrors.ValueInvalid(extends.Mark, $"circular extends: {string.Join(" -> ", chain)} -> {link}.");
        }

        chain.Add(link);
        string? baseFile = null;
        string? baseName;
        if (extends is YScalar scalar)
        {
            baseName = scalar.Value;
        }
        else if (extends is YMapping map)
        {
            foreach (string key in map.Keys)
            {
                if (key is not ("service" or "file"))
                {
                    throw ComposeErrors.KeyUnknown(map.KeyMark(key), key, $"extends of service '{name}'");
                }
            }

            baseName = (map["service"] as YScalar)?.Value;
            baseFile = (map["file"] as YScalar)?.Value;
        }
        else
        {
            throw ComposeErrors.ValueInvalid(extends.Mark, $"extends of service '{name}' must be a service name or a mapping with 'service' and 'file'.");
        }

        if (string.IsNullOrEmpty(baseName))
        {
            throw ComposeErrors.ValueInvalid(extends.Mark, $"extends of service '{name}' does not name a service.");
        }

        YMapping baseService;
        if (baseFile is null)
        {
            if (services[baseName] is null)
            {
                throw ComposeErrors.ValueInvalid(extends.Mark, $"service '{name}' extends '{baseName}', which is not defined in {file}.");
            }

            baseService = await ResolveExtendsAsync(file, root, baseName, chain, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            string basePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file) ?? _projectDirectory, baseFile));
            if (!File.Exists(basePath))
            {
                throw ComposeErrors.FileNotFound(basePath, extends.Mark.ToString());
            }

            // Paths inside an extended file resolve against that file's own directory.
            if (!_loaded.ContainsKey(basePath))
            {
                await LoadAsync(basePath, Path.GetDirectoryName(basePath)!, cancellationToken).ConfigureAwait(false);
            }

            YMapping baseRoot = _loaded[basePath];
            if ((baseRoot["services"] as YMapping)?[baseName] is null)
            {
                throw ComposeErrors.ValueInvalid(extends.Mark, string.Create(CultureInfo.InvariantCulture, $"service '{name}' extends '{baseName}', which is not defined in {basePath}."));
            }

            baseService = await ResolveExtendsAsync(basePath, baseRoot, baseName, chain, cancellationToken).ConfigureAwait(false);
        }

        var inherited = (YMapping)baseService.Clone();
        inherited.Remove("depends_on");
        inherited.Remove("links");
        service.Remove("extends");
        YMapping result = ComposeMerger.MergeService(inherited, service);
        services.Set(name, result);
        chain.RemoveAt(chain.Count - 1);
        return result;
    }

    private void Interpolate(YNode node)
    {
        switch (node)
        {
            case YScalar { Value: { } value } scalar:
                scalar.Value = Interpolator.Interpolate(value, _lookup, scalar.Mark);
                break;
            case YSequence sequence:
                sequence.Items.ForEach(Interpolate);
                break;
            case YMapping mapping:
                foreach (string key in mapping.Keys)
                {
                    Interpolate(mapping[key]!);
                }

                break;
        }
    }
}
