using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Images;

/// <summary>
/// The Docker daemon and the two lab registries (open and htpasswd) for one image test, a unique
/// repository prefix, a scratch directory for contexts and a DOCKER_CONFIG directory of its own.
/// Removes the local tags and the registry manifests it created when disposed. Skips the test
/// (fails under CI) when the lab is not there.
/// </summary>
internal sealed class ImageLab : IAsyncDisposable
{
    private readonly List<string> _localTags = new();
    private readonly List<(string Registry, string Repository, string Digest)> _manifests = new();
    private readonly List<string> _services = new();
    private readonly List<string> _imageIds = new();

    private ImageLab(string dockerHost, string baseImage, string registry, string authRegistry, string user, string password)
    {
        DockerHost = dockerHost;
        BaseImage = baseImage;
        Registry = registry;
        AuthRegistry = authRegistry;
        User = user;
        Password = password;
        Directory.CreateDirectory(Scratch);
    }

    public string DockerHost { get; }

    public string BaseImage { get; }

    /// <summary>The open registry, e.g. 127.0.0.1:5000.</summary>
    public string Registry { get; }

    /// <summary>The registry with basic auth, e.g. 127.0.0.1:5001.</summary>
    public string AuthRegistry { get; }

    public string User { get; }

    public string Password { get; }

    public string Prefix { get; } = "opsimg-" + Guid.NewGuid().ToString("N")[..8];

    public string Scratch => Path.Combine(Path.GetTempPath(), Prefix);

    public static async Task<ImageLab> StartAsync()
    {
        string host = LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker daemon");
        string image = LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_BUSYBOX", "busybox image");
        string registry = LabEnvironment.Require("OPSTOOLS_TEST_REGISTRY", "registry");
        string authRegistry = LabEnvironment.Require("OPSTOOLS_TEST_REGISTRY_AUTH", "registry");
        string user = LabEnvironment.Require("OPSTOOLS_TEST_REGISTRY_USER", "registry");
        string password = LabEnvironment.Require("OPSTOOLS_TEST_REGISTRY_PASSWORD", "registry");
        try
        {
            await DockerCli.RunAsync(host, "image", "inspect", "--format", "{{.Id}}", image);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await http.GetAsync($"http://{registry}/v2/");
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
        {
            LabEnvironment.Unreachable("Docker daemon or registry", ex);
        }

        return new ImageLab(host, image, registry, authRegistry, user, password);
    }

    public DockerConnection Connect() => DockerConnection.Get(DockerHost);

    /// <summary>A repository reference in a registry, unique to this test: registry/prefix/name.</summary>
    public string Reference(string registry, string name, string tag)
    {
        string reference = $"{registry}/{Prefix}/{name}:{tag}";
        _localTags.Add(reference);
        return reference;
    }

    /// <summary>Registers a local tag made outside <see cref="Reference"/> for removal.</summary>
    public void Track(string localTag) => _localTags.Add(localTag);

    /// <summary>Registers a pushed manifest for deletion from its registry.</summary>
    public void TrackManifest(string registry, string repository, string digest) => _manifests.Add((registry, repository, digest));

    /// <summary>Writes a context directory with the given files (relative path -> content).</summary>
    public string Context(string name, IReadOnlyDictionary<string, string> files)
    {
        string directory = Path.Combine(Scratch, name);
        foreach ((string relative, string content) in files)
        {
            string path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }

        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The manifest digest a registry holds for a tag, read from its HTTP API (the registry's own answer).</summary>
    public async Task<string?> RegistryDigestAsync(string registry, string repository, string tag)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{registry}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        if (registry == AuthRegistry)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out IEnumerable<string>? values) ? values.First() : null;
    }

    public Task<string> DockerAsync(params string[] arguments) => DockerCli.RunAsync(DockerHost, arguments);

    /// <summary>Builds a one-file image with the docker CLI (classic builder), so a fixture does not depend on the code under test.</summary>
    public async Task<string> CliBuildAsync(string reference, string content, params string[] options)
    {
        string context = Context("cli-" + Guid.NewGuid().ToString("N")[..6], new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {BaseImage}\nCOPY content.txt /content.txt\n",
            ["content.txt"] = content,
        });
        var info = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOCKER_HOST"] = DockerHost;
        info.Environment["DOCKER_BUILDKIT"] = "0";
        foreach (string argument in new[] { "build", "--quiet", "--tag", reference }.Concat(options).Append(context))
        {
            info.ArgumentList.Add(argument);
        }

        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker build of {reference} failed: {await stderr}");
        }

        Track(reference);
        string id = (await stdout).Trim();
        _imageIds.Add(id);
        return id;
    }

    /// <summary>
    /// Creates a Swarm service running an image with the docker CLI, which resolves the tag to a
    /// digest through the registry as operators' deploys do, and waits until its task runs.
    /// </summary>
    public async Task<string> CreateServiceAsync(string suffix, string image, params string[] options)
    {
        string name = Prefix + "-" + suffix;
        _services.Add(name);
        var arguments = new List<string> { "service", "create", "--detach", "--quiet", "--name", name, "--init", "--stop-grace-period", "2s", "--label", "opsimg.test=" + Prefix };
        arguments.AddRange(options);
        arguments.AddRange(new[] { image, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done" });
        string id = (await DockerCli.RunAsync(DockerHost, arguments.ToArray())).Split('\n').Last().Trim();
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await DockerCli.RunAsync(DockerHost, "service", "ls", "--filter", "id=" + id, "--format", "{{.Replicas}}")).StartsWith("1/1", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"service {name} did not start");
            }

            await Task.Delay(250);
        }

        return id;
    }

    public async ValueTask DisposeAsync()
    {
        if (_services.Count > 0)
        {
            string running = await DockerCli.RunAsync(DockerHost, "service", "ls", "--format", "{{.Name}}");
            string[] services = _services.Where(n => running.Split('\n').Contains(n)).ToArray();
            if (services.Length > 0)
            {
                await DockerCli.RunAsync(DockerHost, new[] { "service", "rm" }.Concat(services).ToArray());
                // Tasks hold their image until their containers are gone.
                DateTime deadline = DateTime.UtcNow.AddSeconds(30);
                while (DateTime.UtcNow < deadline && (await DockerCli.RunAsync(DockerHost, "ps", "--all", "--quiet", "--filter", "label=com.docker.swarm.service.name=" + services[0])).Length > 0)
                {
                    await Task.Delay(250);
                }
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach ((string registry, string repository, string digest) in _manifests.Distinct())
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"http://{registry}/v2/{repository}/manifests/{digest}");
            if (registry == AuthRegistry)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
            }

            try
            {
                (await http.SendAsync(request)).Dispose();
            }
            catch (HttpRequestException)
            {
                // The registry went away; its storage is the lab's, nothing else to clean.
            }
        }

        string existing = await DockerCli.RunAsync(DockerHost, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}");
        string[] toRemove = _localTags.Distinct().Where(t => existing.Split('\n').Contains(t)).ToArray();
        foreach (string tag in toRemove)
        {
            _imageIds.Add(await DockerCli.RunAsync(DockerHost, "image", "inspect", "--format", "{{.Id}}", tag));
        }

        if (toRemove.Length > 0)
        {
            // By tag, forced: an image with other tags (the lab's base image) only loses this one.
            await DockerCli.RunAsync(DockerHost, new[] { "image", "rm", "--force" }.Concat(toRemove).ToArray());
        }

        // Images this test built or pushed and left without a tag (rebuilt tags, pushed digests) go
        // too; one that still has a tag (the lab's base image it was tagged from) is never touched.
        foreach (string id in _imageIds.Distinct())
        {
            string tags;
            try
            {
                tags = await DockerCli.RunAsync(DockerHost, "image", "inspect", "--format", "{{len .RepoTags}}", id);
            }
            catch (InvalidOperationException)
            {
                continue;
            }

            if (tags == "0")
            {
                await DockerCli.RunAsync(DockerHost, "image", "rm", id);
            }
        }

        Directory.Delete(Scratch, recursive: true);
    }
}

/// <summary>Image tests share the daemon's images: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImageCollection
{
    public const string Name = "Docker images";
}
