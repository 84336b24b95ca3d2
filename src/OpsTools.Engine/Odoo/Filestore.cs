using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace OpsTools.Engine.Odoo;

/// <summary>One file of a filestore (or data directory) to archive.</summary>
/// <param name="RelativePath">Path under the archived root, with '/' separators.</param>
/// <param name="FullPath">Path on disk.</param>
/// <param name="Length">Size when listed.</param>
public sealed record FilestoreFile(string RelativePath, string FullPath, long Length);

/// <summary>Lists a directory's regular files in a stable order (ordinal by relative path); symbolic links are not followed.</summary>
public static class Filestore
{
    /// <summary>Lists the files under a directory.</summary>
    /// <param name="root">The directory.</param>
    /// <returns>The files, sorted.</returns>
    /// <exception cref="OpsToolsException"><c>FilestoreNotFound</c>.</exception>
    public static IReadOnlyList<FilestoreFile> List(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new OpsToolsException(
                "FilestoreNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The filestore directory {root} does not exist.",
                root,
                "Give -FilestorePath as the database's filestore (<data_dir>/filestore/<database>), or -NoFilestore for a database-only backup.");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        return new DirectoryInfo(root).EnumerateFiles("*", options)
            .Select(f => new FilestoreFile(Path.GetRelativePath(root, f.FullName).Replace('\\', '/'), f.FullName, f.Length))
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>
/// The checksum of a set of files: SHA-256 over one line per file, <c>path TAB size TAB sha256 LF</c>,
/// in ordinal path order. Two filestores with the same digest hold the same files with the same bytes.
/// </summary>
public sealed class FilestoreDigest
{
    private readonly SortedDictionary<string, (long Size, string Sha256)> _files = new(StringComparer.Ordinal);

    /// <summary>Files added.</summary>
    public int Count => _files.Count;

    /// <summary>Bytes of the files added.</summary>
    public long Bytes => _files.Values.Sum(f => f.Size);

    /// <summary>Adds a file.</summary>
    /// <param name="relativePath">Its path under the root.</param>
    /// <param name="size">Its size.</param>
    /// <param name="sha256">Its SHA-256.</param>
    public void Add(string relativePath, long size, string sha256)
    {
        lock (_files)
        {
            _files[relativePath] = (size, sha256);
        }
    }

    /// <summary>The digest, lower-case hex.</summary>
    /// <returns>The SHA-256.</returns>
    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach ((string path, (long size, string sha)) in _files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{path}\t{size}\t{sha}\n"));
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Computes the digest of a directory on disk (reads every file).</summary>
    /// <param name="root">The directory.</param>
    /// <returns>Digest, file count and bytes.</returns>
    public static (string Sha256, int Files, long Bytes) OfDirectory(string root)
    {
        var digest = new FilestoreDigest();
        foreach (FilestoreFile file in Filestore.List(root))
        {
            using FileStream stream = File.OpenRead(file.FullPath);
            digest.Add(file.RelativePath, stream.Length, Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant());
        }

        return (digest.Sha256(), digest.Count, digest.Bytes);
    }
}
