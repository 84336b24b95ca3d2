using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;

namespace OpsTools.Engine.Tests.Compose;

/// <summary>The loader's rules one by one, on small files written for each test.</summary>
public sealed class ComposeLoaderTests : IDisposable
{
    private readonly ComposeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Task<ComposeProject> LoadAsync(string[] paths, IReadOnlyDictionary<string, string?>? variables = null, IReadOnlyDictionary<string, string>? environment = null, string[]? envFiles = null) =>
        ComposeLoader.LoadAsync(new ComposeLoadOptions
        {
            Paths = paths,
            Variables = variables ?? new Dictionary<string, string?>(),
            EnvFiles = envFiles ?? Array.Empty<string>(),
            EnvironmentLookup = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
        });

    private Task<ComposeProject> LoadOneAsync(string yaml, IReadOnlyDictionary<string, string?>? variables = null, IReadOnlyDictionary<string, string>? environment = null) =>
        LoadAsync(new[] { _files.Write("compose.yml", yaml) }, variables, environment);

    private static async Task<OpsToolsException> FailsAsync(Func<Task> load) => await Assert.ThrowsAsync<OpsToolsException>(load);

    [Theory]
    [InlineData("${TAG}", "1.4")]
    [InlineData("$TAG", "1.4")]
    [InlineData("x-${TAG}-y", "x-1.4-y")]
    [InlineData("${UNSET:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${EMPTY-fallback}", "")]
    [InlineData("${UNSET-fallback}", "fallback")]
    [InlineData("${UNSET:-${TAG}}", "1.4")]
    [InlineData("${TAG:+set}", "set")]
    [InlineData("${TAG:?needed}", "1.4")]
    [InlineData("$$TAG costs $$5", "$TAG costs $5")]
    [InlineData("${UNSET}", "")]
    public async Task Interpolates_every_variable_form(string template, string expected)
    {
        ComposeProject project = await LoadOneAsync($"services:\n  api:\n    image: busybox\n    environment:\n      VALUE: '{template}'\n",
            variables: new Dictionary<string, string?> { ["TAG"] = "1.4", ["EMPTY"] = string.Empty });

        Assert.Equal(expected, project.Services[0].Environment["VALUE"]);
    }

    [Theory]
    [InlineData("${DB_PASSWORD:?set it in .env}", "set it in .env")]
    [InlineData("${DB_PASSWORD?}", "")]
    public async Task A_missing_required_variable_names_the_variable_the_file_and_the_line(string template, string message)
    {
        string path = _files.Write("compose.yml", $"services:\n  db:\n    image: postgres\n    environment:\n      PASSWORD: \"{template}\"\n");

        OpsToolsException error = await FailsAsync(() => LoadAsync(new[] { path }));

        Assert.Equal("ComposeVariableMissing", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidData, error.Kind);
        Assert.Equal("DB_PASSWORD", error.Target);
        Assert.StartsWith($"{path}:5:17: required variable 'DB_PASSWORD'", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_dollar_sign_is_an_interpolation_error_with_its_position()
    {
        OpsToolsException error = await FailsAsync(() => LoadOneAsync("services:\n  api:\n    image: busybox\n    command: echo $5\n"));

        Assert.Equal("ComposeInterpolationInvalid", error.ErrorId);
        Assert.Contains("compose.yml:4:14", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_win_over_the_environment_which_wins_over_the_default_env_file()
    {
        _files.Write(".env", "A=from-file\nB=from-file\nC=from-file\n");
        string path = _files.Write("compose.yml", "services:\n  api:\n    image: busybox\n    environment: [\"A=$A\", \"B=$B\", \"C=$C\"]\n");

        ComposeProject project = await LoadAsync(new[] { path },
            variables: new Dictionary<string, string?> { ["A"] = "from-variables" },
            environment: new Dictionary<string, string> { ["A"] = "from-env", ["B"] = "from-env" });

        IReadOnlyDictionary<string, string?> env = project.Services[0].Environment;
        Assert.Equal("from-variables", env["A"]);
        Assert.Equal("from-env", env["B"]);
        Assert.Equal("from-file", env["C"]);
        Assert.Equal(new[] { _files.Directory + "/.env" }, project.EnvFiles);
    }

    [Fact]
    public async Task Env_files_take_comments_quotes_escapes_export_and_multiline_values()
    {
        string envFile = _files.Write("vars/.env.swarm", string.Join('\n',
            "# platform settings",
            "",
            "export PLAIN=value # trailing comment",
            "SINGLE='literal $HOME \\n'",
            "DOUBLE=\"tab\\there \\\"quoted\\\"\"",
            "  SPACED = padded  ",
            "MULTI=\"line one",
            "line two\"",
            "EMPTY="));
        string path = _files.Write("compose.yml", "services:\n  api:\n    image: busybox\n    environment:\n      PLAIN: ${PLAIN}\n      SINGLE: ${SINGLE}\n      DOUBLE: ${DOUBLE}\n      SPACED: ${SPACED}\n      MULTI: ${MULTI}\n      EMPTY: ${EMPTY-unset}\n");

        ComposeProject project = await LoadAsync(new[] { path }, envFiles: new[] { envFile });

        IReadOnlyDictionary<string, string?> env = project.Services[0].Environment;
        Assert.Equal("value", env["PLAIN"]);
        Assert.Equal("literal $HOME \\n", env["SINGLE"]);
        Assert.Equal("tab\there \"quoted\"", env["DOUBLE"]);
        Assert.Equal("padded", env["SPACED"]);
        Assert.Equal("line one\nline two", env["MULTI"]);
        Assert.Equal(string.Empty, env["EMPTY"]);
    }

    [Fact]
    public async Task Env_file_of_a_service_is_read_relative_to_the_project_and_environment_overrides_it()
    {
        _files.Write("conf/api.env", "A=1\nB=2\n");
        ComposeProject project = await LoadOneAsync("services:\n  api:\n    image: busybox\n    env_file: conf/api.env\n    environment: {B: 3, C: null}\n",
            environment: new Dictionary<string, string> { ["C"] = "from-env" });

        ComposeService api = project.Services[0];
        Assert.Equal("1", api.Environment["A"]);
        Assert.Equal("3", api.Environment["B"]);
        Assert.Equal("from-env", api.Environment["C"]);
        Assert.Equal(_files.Directory + "/conf/api.env", Assert.Single(api.EnvFiles));
    }

    [Fact]
    public async Task Later_files_override_earlier_ones_by_the_compose_merge_rules()
    {
        string base1 = _files.Write("compose.yml", """
            services:
              api:
                image: shop:1
                command: ["serve", "--port", "80"]
                environment: {A: "1", B: "1"}
                ports: ["8080:80", "9090:90"]
                volumes: ["data:/data", "./logs:/logs"]
                secrets: [one, {source: two, target: /run/two}]
                deploy:
                  replicas: 1
                  labels: {tier: front}
                  placement: {constraints: [node.role == manager]}
            volumes: {data: {}}
            secrets:
              one: {file: ./one.txt}
              two: {file: ./two.txt}
            """);
        string override1 = _files.Write("compose.prod.yml", """
            services:
              api:
                image: shop:2
                command: serve
                environment: {B: "2", C: "3"}
                ports: ["8081:80"]
                volumes: [{type: bind, source: /srv/logs, target: /logs, read_only: true}]
                secrets: [{source: one, target: /run/two}]
                deploy:
                  replicas: 3
                  placement: {constraints: [node.role == manager, node.labels.zone == a]}
            """);

        ComposeService api = Assert.Single((await LoadAsync(new[] { base1, override1 })).Services);

        Assert.Equal("shop:2", api.Image);
        Assert.Equal(new[] { "serve" }, api.Command);
        Assert.Equal(new Dictionary<string, string?> { ["A"] = "1", ["B"] = "2", ["C"] = "3" }, api.Environment);
        Assert.Equal(new[] { "8081:80/tcp", "9090:90/tcp" }, api.Ports.Select(p => p.ToString()));
        Assert.Equal(new[] { "data:/data", "/srv/logs:/logs:ro" }, api.Volumes.Select(v => v.ToString()));
        Assert.Equal(new[] { "one", "one:/run/two" }, api.Secrets.Select(s => s.ToString()));
        Assert.Equal(3UL, api.Replicas);
        Assert.Equal("front", api.Deploy.Labels["tier"]);
        Assert.Equal(new[] { "node.role == manager", "node.labels.zone == a" }, api.Deploy.Placement!.Constraints);
    }

    [Fact]
    public async Task Extends_takes_a_service_of_the_same_file_or_of_another_file_with_its_own_relative_paths()
    {
        _files.Write("common/base.yml", "services:\n  app:\n    image: shop:1\n    env_file: app.env\n    environment: {ROLE: app, LEVEL: info}\n    depends_on: [db]\n");
        _files.Write("common/app.env", "FROM_BASE=yes\n");
        string path = _files.Write("compose.yml", """
            services:
              api:
                extends: {file: common/base.yml, service: app}
                environment: {ROLE: api}
              worker:
                extends: api
                command: work
            """);

        ComposeProject project = await LoadAsync(new[] { path });

        ComposeService api = project.Services.Single(s => s.Name == "api");
        ComposeService worker = project.Services.Single(s => s.Name == "worker");
        Assert.Equal("shop:1", api.Image);
        Assert.Equal("api", api.Environment["ROLE"]);
        Assert.Equal("info", api.Environment["LEVEL"]);
        Assert.Equal("yes", api.Environment["FROM_BASE"]);
        Assert.Equal(_files.Directory + "/common/app.env", Assert.Single(api.EnvFiles));
        Assert.Equal("api", worker.Environment["ROLE"]);
        Assert.Equal(new[] { "work" }, worker.Command);
    }

    [Fact]
    public async Task Circular_extends_is_an_error()
    {
        OpsToolsException error = await FailsAsync(() => LoadOneAsync("services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n"));

        Assert.Equal("ComposeValueInvalid", error.ErrorId);
        Assert.Contains("circular extends", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_yaml_reports_file_line_and_column()
    {
        string path = _files.Write("compose.yml", "services:\n  api:\n    image: busybox\n   ports: [\"80\"]\n");

        OpsToolsException error = await FailsAsync(() => LoadAsync(new[] { path }));

        Assert.Equal("ComposeYamlInvalid", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidData, error.Kind);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:4:\\d+: invalid YAML: ", error.Message);
    }

    [Theory]
    [InlineData("servces:\n  api: {image: x}\n", "servces", "the top level", 1)]
    [InlineData("services:\n  api:\n    image: x\n    imagee: y\n", "imagee", "service 'api'", 4)]
    [InlineData("services:\n  api:\n    image: x\n    deploy: {replica: 2}\n", "replica", "deploy of service 'api'", 4)]
    public async Task An_unknown_key_is_an_error_naming_key_place_and_line(string yaml, string key, string where, int line)
    {
        OpsToolsException error = await FailsAsync(() => LoadOneAsync(yaml));

        Assert.Equal("ComposeKeyUnknown", error.ErrorId);
        Assert.Contains($"compose.yml:{line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"unknown key '{key}' in {where}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_swarm_ignores_give_one_warning_per_service_and_key()
    {
        string base1 = _files.Write("a.yml", "services:\n  api:\n    image: x\n    build: .\n    container_name: api\n    depends_on: [db]\n  db:\n    image: y\n    restart: always\n    links: [api]\n");
        string override1 = _files.Write("b.yml", "services:\n  api:\n    build: ./other\n");

        ComposeProject project = await LoadAsync(new[] { base1, override1 });

        Assert.Equal(5, project.Warnings.Count);
        Assert.Contains(project.Warnings, w => w.StartsWith("Ignoring unsupported option 'build' of service 'api'", StringComparison.Ordinal));
        Assert.Contains(project.Warnings, w => w.StartsWith("Ignoring unsupported option 'restart' of service 'db'", StringComparison.Ordinal));
        Assert.Equal("always", project.Services.Single(s => s.Name == "db").Restart);
    }

    [Fact]
    public async Task Durations_sizes_and_cpus_are_typed()
    {
        ComposeService api = (await LoadOneAsync("""
            services:
              api:
                image: x
                stop_grace_period: 1m30s
                healthcheck: {test: "true", interval: 500ms, timeout: 1.5s, start_period: 1h}
                deploy:
                  resources:
                    limits: {cpus: '0.5', memory: 512M}
                    reservations: {cpus: "2", memory: 1g}
            """)).Services[0];

        Assert.Equal(TimeSpan.FromSeconds(90), api.StopGracePeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(500), api.Healthcheck!.Interval);
        Assert.Equal(TimeSpan.FromSeconds(1.5), api.Healthcheck.Timeout);
        Assert.Equal(TimeSpan.FromHours(1), api.Healthcheck.StartPeriod);
        Assert.Equal(new[] { "CMD-SHELL", "true" }, api.Healthcheck.Test);
        Assert.Equal(0.5m, api.Deploy.Resources!.Limits!.Cpus);
        Assert.Equal(512L * 1024 * 1024, api.Deploy.Resources.Limits.MemoryBytes);
        Assert.Equal(2m, api.Deploy.Resources.Reservations!.Cpus);
        Assert.Equal(1024L * 1024 * 1024, api.Deploy.Resources.Reservations.MemoryBytes);
    }

    [Theory]
    [InlineData("stop_grace_period: 90", "'90' is not a duration")]
    [InlineData("deploy: {resources: {limits: {memory: lots}}}", "'lots' is not a size")]
    [InlineData("deploy: {resources: {limits: {cpus: '0.0000000001'}}}", "at most 9 decimals")]
    [InlineData("ports: [\"80:http\"]", "is not a port specification")]
    [InlineData("networks: [backend]", "network 'backend', which is not declared")]
    public async Task Invalid_values_are_errors_at_their_line(string line, string message)
    {
        OpsToolsException error = await FailsAsync(() => LoadOneAsync($"services:\n  api:\n    image: x\n    {line}\n"));

        Assert.Equal("ComposeValueInvalid", error.ErrorId);
        Assert.Contains("compose.yml:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Short_syntax_of_ports_volumes_and_secrets_is_expanded()
    {
        ComposeService api = (await LoadOneAsync("""
            services:
              api:
                image: x
                ports: ["80", "127.0.0.1:8080:80/udp", "9000-9001:9000-9001"]
                volumes: ["data:/data:nocopy", "./conf:/etc/app:ro", "/cache"]
                secrets: [token]
            volumes: {data: }
            secrets: {token: {external: true}}
            """)).Services[0];

        Assert.Equal(new[] { "80/tcp", "8080:80/udp", "9000:9000/tcp", "9001:9001/tcp" }, api.Ports.Select(p => p.ToString()));
        Assert.All(api.Ports, p => Assert.Equal("ingress", p.Mode));
        Assert.Equal(("volume", "data", true), (api.Volumes[0].Type, api.Volumes[0].Source, api.Volumes[0].VolumeNoCopy!.Value));
        Assert.Equal(("bind", _files.Directory + "/conf", true), (api.Volumes[1].Type, api.Volumes[1].Source, api.Volumes[1].ReadOnly));
        Assert.Equal(("volume", (string?)null, "/cache"), (api.Volumes[2].Type, api.Volumes[2].Source, api.Volumes[2].Target));
        Assert.Equal("token", Assert.Single(api.Secrets).Source);
    }

    [Fact]
    public async Task Anchors_and_merge_keys_are_resolved()
    {
        ComposeProject project = await LoadOneAsync("""
            x-common: &common
              image: shop:1
              environment: &env {A: "1"}
            services:
              api:
                <<: *common
                image: shop:2
              worker:
                <<: *common
                environment: *env
            """);

        Assert.Equal("shop:2", project.Services.Single(s => s.Name == "api").Image);
        Assert.Equal("shop:1", project.Services.Single(s => s.Name == "worker").Image);
        Assert.Equal("1", project.Services.Single(s => s.Name == "worker").Environment["A"]);
    }

    [Fact]
    public async Task A_missing_compose_file_is_object_not_found_with_the_path()
    {
        string path = _files.Directory + "/nope.yml";

        OpsToolsException error = await FailsAsync(() => LoadAsync(new[] { path }));

        Assert.Equal("ComposeFileNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal(path, error.Target);
    }

    [Fact]
    public async Task The_yaml_output_loads_back_to_the_same_project()
    {
        ComposeProject first = await LoadAsync(
            new[] { ComposeTestFiles.StackFile("compose.yml"), ComposeTestFiles.StackFile("compose.override.yml") },
            variables: new Dictionary<string, string?> { ["LOG_LEVEL"] = "cost $5" });
        string yaml = ComposeYamlWriter.Write(first);

        ComposeProject second = await LoadAsync(new[] { _files.Write("merged.yml", yaml) });

        Assert.Equal(yaml, ComposeYamlWriter.Write(second));
        Assert.Equal("cost $5", second.Services.Single(s => s.Name == "api").Environment["LOG_LEVEL"]);
        Assert.Equal(first.Services.Select(s => s.Name), second.Services.Select(s => s.Name));
        Assert.Equal(first.Secrets.Single().File, second.Secrets.Single().File);
    }
}
