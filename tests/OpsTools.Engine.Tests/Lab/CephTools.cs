using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Tests.Ceph;

namespace OpsTools.Engine.Tests.Lab;

/// <summary>
/// The lab's own tools (getfattr, setfattr, ceph, the lab's ceph.sh): they set up and witness
/// what the Ceph tests check, so the engine under test is never its own witness.
/// </summary>
internal static class CephTools
{
    /// <summary>Runs a program and returns its exit code and output; kills it after the timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException(program + " did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>getfattr --only-values; null when the attribute does not exist.</summary>
    public static async Task<string?> GetAttributeAsync(string path, string name)
    {
        (int exitCode, string output, string error) = await RunAsync("getfattr", TimeSpan.FromSeconds(10), "--only-values", "-n", name, path);
        if (exitCode != 0)
        {
            return error.Contains("No such attribute", StringComparison.Ordinal) ? null : throw new InvalidOperationException($"getfattr -n {name} {path}: {error}");
        }

        return output;
    }

    public static async Task SetAttributeAsync(string path, string name, string value)
    {
        (int exitCode, _, string error) = await RunAsync("setfattr", TimeSpan.FromSeconds(10), "-n", name, "-v", value, path);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"setfattr -n {name} -v {value} {path}: {error}");
        }
    }

    /// <summary>Runs the ceph CLI against the lab cluster and returns its standard output.</summary>
    public static async Task<string> CephAsync(CephFixture fixture, params string[] arguments)
    {
        string[] all = new[] { "-c", fixture.ConfigPath, "-k", fixture.Keyring, "--id", fixture.ClientId, "--connect-timeout", "10" };
        (int exitCode, string output, string error) = await RunAsync("ceph", TimeSpan.FromSeconds(30), [.. all, .. arguments]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ceph {string.Join(' ', arguments)}: {error}");
        }

        return output;
    }

    /// <summary>Polls until the recursive statistics of a directory show the expected bytes and files (they trail writes by a second or two).</summary>
    public static async Task WaitForStatisticsAsync(string directory, long bytes, long files, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            string? rbytes = await GetAttributeAsync(directory, "ceph.dir.rbytes");
            string? rfiles = await GetAttributeAsync(directory, "ceph.dir.rfiles");
            if (rbytes == bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) && rfiles == files.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{directory}: statistics still rbytes={rbytes} rfiles={rfiles}, expected {bytes}/{files}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Writes files of the given sizes and returns the bytes written.</summary>
    public static long WriteFiles(string directory, int count, Func<int, int> sizeOf)
    {
        Directory.CreateDirectory(directory);
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] data = new byte[sizeOf(i)];
            Random.Shared.NextBytes(data);
            File.WriteAllBytes(Path.Combine(directory, $"file-{i:D4}.bin"), data);
            total += data.Length;
        }

        return total;
    }
}
