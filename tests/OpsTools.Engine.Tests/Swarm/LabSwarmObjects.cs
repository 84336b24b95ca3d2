using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>
/// Secrets and configs one test creates with the docker CLI (names start with <c>opssec-</c>), and
/// every object whose name starts with this instance's prefix, removed when disposed: also the
/// new versions a rotation under test created.
/// </summary>
internal sealed class LabSwarmObjects : IAsyncDisposable
{
    private LabSwarmObjects(string dockerHost)
    {
        DockerHost = dockerHost;
    }

    /// <summary>Declare it before the LabServices whose services use the objects: disposed after them.</summary>
    public static LabSwarmObjects Start() => new(LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker swarm"));

    public string DockerHost { get; }

    public string Prefix { get; } = "opssec-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Creates a secret or config (kind: "secret" or "config") from text and returns its id.</summary>
    public async Task<string> CreateAsync(string kind, string suffix, string content, params string[] options)
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, content);
            var arguments = new List<string> { kind, "create" };
            arguments.AddRange(options);
            arguments.Add(Prefix + "-" + suffix);
            arguments.Add(file);
            return (await DockerCli.RunAsync(DockerHost, arguments.ToArray())).Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Names of the objects of a kind whose name starts with this prefix.</summary>
    public async Task<string[]> NamesAsync(string kind) =>
        (await DockerCli.RunAsync(DockerHost, kind, "ls", "--format", "{{.Name}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (string kind in new[] { "secret", "config" })
        {
            string[] names = await NamesAsync(kind);
            if (names.Length > 0)
            {
                try
                {
                    await DockerCli.RunAsync(DockerHost, new[] { kind, "rm" }.Concat(names).ToArray());
                }
                catch (InvalidOperationException)
                {
                    // Still used by a service that failed to be removed: nothing more to do here.
                }
            }
        }
    }
}
