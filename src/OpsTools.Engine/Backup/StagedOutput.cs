using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OpsTools.Engine.Backup;

/// <summary>
/// Files (or directories) written under temporary names beside their final names and renamed only
/// when all of them are complete: either every part appears under its final name, or none does.
/// Dispose without <see cref="Commit"/> (a failure, Ctrl+C) deletes every temporary part.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    private readonly List<(string Temporary, string Final, bool IsDirectory)> _parts = new();
    private readonly List<string> _scratch = new();
    private readonly string _tag = "." + Guid.NewGuid().ToString("N")[..8] + ".partial";
    private bool _committed;

    /// <summary>Prefix of every temporary name, so listings can recognise (and skip) unfinished backups.</summary>
    public const string TemporaryPrefix = ".opstools-";

    /// <summary>Registers a file part and returns the temporary path to write it at.</summary>
    /// <param name="finalPath">Where the part ends up.</param>
    /// <returns>Temporary path in the same directory.</returns>
    /// <exception cref="OpsToolsException"><c>BackupExists</c> when the final name is taken.</exception>
    public string AddFile(string finalPath) => Add(finalPath, isDirectory: false);

    /// <summary>Registers a directory part, creates it under its temporary name and returns that path.</summary>
    /// <param name="finalPath">Where the directory ends up.</param>
    /// <returns>Temporary path.</returns>
    public string AddDirectory(string finalPath)
    {
        string temporary = Add(finalPath, isDirectory: true);
        Directory.CreateDirectory(temporary);
        return temporary;
    }

    /// <summary>A scratch file beside the parts (a spool), deleted on dispose whether committed or not.</summary>
    /// <param name="directory">Directory to put it in.</param>
    /// <param name="name">Readable part of its name.</param>
    /// <returns>Its path.</returns>
    public string AddScratch(string directory, string name)
    {
        string path = Path.Combine(directory, TemporaryPrefix + name + _tag);
        _scratch.Add(path);
        return path;
    }

    /// <summary>Temporary path of a registered part.</summary>
    /// <param name="finalPath">Its final path.</param>
    /// <returns>The temporary path.</returns>
    public string TemporaryOf(string finalPath) => _parts.Find(p => p.Final == finalPath).Temporary ?? throw new ArgumentException("not a part: " + finalPath, nameof(finalPath));

    /// <summary>
    /// Renames every part to its final name, in the order they were added (put the manifest last, so
    /// a listing that finds it finds the other parts too). A failure undoes the renames done so far.
    /// </summary>
    public void Commit()
    {
        var done = new List<(string Temporary, string Final, bool IsDirectory)>();
        try
        {
            foreach ((string temporary, string final, bool isDirectory) in _parts)
            {
                if (File.Exists(final) || Directory.Exists(final))
                {
                    throw Exists(final);
                }

                if (isDirectory)
                {
                    Directory.Move(temporary, final);
                }
                else
                {
                    File.Move(temporary, final);
                }

                done.Add((temporary, final, isDirectory));
            }

            _committed = true;
        }
        catch
        {
            foreach ((string temporary, string final, bool isDirectory) in done)
            {
                if (isDirectory)
                {
                    Directory.Move(final, temporary);
                }
                else
                {
                    File.Move(final, temporary);
                }
            }

            throw;
        }
    }

    /// <summary>Deletes the temporary parts unless committed.</summary>
    public void Dispose()
    {
        IEnumerable<(string Temporary, bool IsDirectory)> leftovers = _scratch.Select(s => (s, false));
        if (!_committed)
        {
            leftovers = leftovers.Concat(_parts.Select(p => (p.Temporary, p.IsDirectory)));
        }

        foreach ((string temporary, bool isDirectory) in leftovers)
        {
            try
            {
                if (isDirectory && Directory.Exists(temporary))
                {
                    Directory.Delete(temporary, recursive: true);
                }
                else if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
            catch (IOException)
            {
                // Best effort: the temporary name never looks like a finished backup.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }

    /// <summary>The error for a final name that is already taken.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException Exists(string path) => new(
        "BackupExists",
        OpsToolsErrorKind.ResourceExists,
        $"{path} already exists; a backup never overwrites another.",
        path,
        "Choose another -Destination, or remove the old backup first (Remove-OdooBackup).");

    private string Add(string finalPath, bool isDirectory)
    {
        string full = Path.GetFullPath(finalPath);
        if (File.Exists(full) || Directory.Exists(full))
        {
            throw Exists(full);
        }

        string temporary = Path.Combine(Path.GetDirectoryName(full)!, TemporaryPrefix + Path.GetFileName(full) + _tag);
        _parts.Add((temporary, full, isDirectory));
        return temporary;
    }
}
