using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace OpsTools.Engine.Tests.Lab;

/// <summary>Creates and removes fixture objects with the docker CLI, so the engine under test is not its own witness.</summary>
internal static class DockerCli
{
    public static async Task<string> RunAsync(string dockerHost, params string[] arguments)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOCKER_HOST"] = dockerHost;
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("docker did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed: {await stderr}");
        }

        return (await stdout).Trim();
    }
}
