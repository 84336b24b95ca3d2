using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Images;

/// <summary>
/// Writes a build context as a tar stream, entry by entry, without holding it in memory:
/// files are read as the daemon consumes the stream. Honours <c>.dockerignore</c>; the Dockerfile
/// and <c>.dockerignore</c> are always sent, as the CLI does.
/// </summary>
internal static class BuildContext
{
    /// <summary>Writes the context to a stream.</summary>
    /// <param name="output">Where the tar goes.</param>
    /// <param name="contextDirectory">Full path of the context directory.</param>
    /// <param name="ignore">The .dockerignore rules.</param>
    /// <param name="alwaysInclude">Relative paths sent even when ignored.</param>
    /// <param name="extraFile">A file from outside the context added under a name (a Dockerfile kept elsewhere).</param>
    /// <param name="onBytes">Told the running total of bytes written.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>Entries written.</returns>
    public static async Task<int> WriteAsync(
        Stream output,
        string contextDirectory,
        DockerIgnore ignore,
        IReadOnlyCollection<string> alwaysInclude,
        (string EntryName, string SourcePath)? extraFile,
        Action<long>? onBytes,
        CancellationToken cancellationToken)
    {
        var counting = new CountingStream(output, onBytes);
        int entries = 0;
        TarWriter writer = new(counting, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var pending = new Stack<(DirectoryInfo Directory, string Relative)>();
            pending.Push((new DirectoryInfo(contextDirectory), string.Empty));
            while (pending.Count > 0)
            {
                (DirectoryInfo directory, string relative) = pending.Pop();
                // Ordinal order: the same context gives the same tar, which keeps the build cache useful.
                foreach (FileSystemInfo item in directory.EnumerateFileSystemInfos().OrderByDescending(i => i.Name, StringComparer.Ordinal))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string path = relative.Length == 0 ? item.Name : relative + "/" + item.Name;
                    bool isLink = item.LinkTarget is not null;
                    bool isDirectory = !isLink && item is DirectoryInfo;
                    bool excluded = ignore.IsExcluded(path) && !alwaysInclude.Contains(path, StringComparer.Ordinal);
                    if (excluded)
                    {
                        // A re-include rule (!pattern) may still pick something below an excluded directory.
                        if (isDirectory && ignore.HasExclusions)
                        {
                            pending.Push(((DirectoryInfo)item, path));
                        }

                        continue;
                    }

                    await writer.WriteEntryAsync(item.FullName, path, cancellationToken).ConfigureAwait(false);
                    entries++;
                    if (isDirectory)
                    {
                        pending.Push(((DirectoryInfo)item, path));
                    }
                }
            }

            if (extraFile is { } extra)
            {
                await writer.WriteEntryAsync(extra.SourcePath, extra.EntryName, cancellationToken).ConfigureAwait(false);
                entries++;
            }
        }

        await counting.FlushAsync(cancellationToken).ConfigureAwait(false);
        return entries;
    }

    /// <summary>Passes writes through and reports the running byte count.</summary>
    private sealed class CountingStream(Stream inner, Action<long>? onBytes) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Advance(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Advance(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Advance(int count)
        {
            _written += count;
            onBytes?.Invoke(_written);
        }
    }
}
