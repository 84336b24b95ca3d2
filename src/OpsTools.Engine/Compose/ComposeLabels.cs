namespace OpsTools.Engine.Compose;

/// <summary>
/// The labels <c>docker compose</c> (v2), <c>docker-compose</c> (v1) and OpsTools put on the
/// containers, networks and volumes of a compose project. Everything that finds or creates
/// compose objects uses these, so the three tools see each other's projects.
/// </summary>
internal static class ComposeLabels
{
    /// <summary>Project name, on containers, networks and volumes.</summary>
    public const string Project = "com.docker.compose.project";

    /// <summary>Service name in the compose file, on containers.</summary>
    public const string Service = "com.docker.compose.service";

    /// <summary>1-based replica number of the container within its service.</summary>
    public const string ContainerNumber = "com.docker.compose.container-number";

    /// <summary>Hash of the service configuration the container was created from.</summary>
    public const string ConfigHash = "com.docker.compose.config-hash";

    /// <summary><c>True</c> on containers of <c>docker compose run</c>, <c>False</c> otherwise.</summary>
    public const string OneOff = "com.docker.compose.oneoff";

    /// <summary>Directory the project was started from.</summary>
    public const string WorkingDirectory = "com.docker.compose.project.working_dir";

    /// <summary>Comma-separated compose files the project was started from.</summary>
    public const string ConfigFiles = "com.docker.compose.project.config_files";

    /// <summary>Comma-separated env files the project was started with (compose v2).</summary>
    public const string EnvironmentFile = "com.docker.compose.project.environment_file";

    /// <summary>Version of the tool that created the object.</summary>
    public const string Version = "com.docker.compose.version";

    /// <summary>Network name inside the compose file, on networks.</summary>
    public const string Network = "com.docker.compose.network";

    /// <summary>Volume name inside the compose file, on volumes.</summary>
    public const string Volume = "com.docker.compose.volume";

    /// <summary>Services a container depends on (compose v2), <c>service:condition:restart</c> joined by commas.</summary>
    public const string DependsOn = "com.docker.compose.depends_on";

    /// <summary>Image digest the container was created from (compose v2).</summary>
    public const string ImageDigest = "com.docker.compose.image";
}
