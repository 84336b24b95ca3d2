using System;
using System.IO;

namespace OpsTools.Engine.Tests.Compose;

/// <summary>A temporary directory for the compose files of one test, removed afterwards.</summary>
internal sealed class ComposeTestFiles : IDisposable
{
    public ComposeTestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "opstools-compose-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>Writes a file (creating folders) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        string path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    /// <summary>The shop stack of Compose/Stack, copied next to the test binaries.</summary>
    public static string StackFile(string name) => Path.Combine(AppContext.BaseDirectory, "Compose", "Stack", name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
