using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Backup;

/// <summary>
/// Passes bytes through to another stream (writing) or from it (reading) while counting them and
/// computing their SHA-256, so a part's checksum is the checksum of exactly the bytes that went by.
/// Reading wrappers over a file report its length and position (archive writers need them to write
/// a header before the data) but refuse any seek that would move: every byte is read exactly once.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _writing;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action<int>? _onBytes;
    private readonly long? _length;
    private long _count;

    private HashingStream(Stream inner, bool writing, bool leaveOpen, Action<int>? onBytes, long? length = null)
    {
        _inner = inner;
        _length = length;
        _writing = writing;
        _leaveOpen = leaveOpen;
        _onBytes = onBytes;
    }

    /// <summary>Hashes what is written to <paramref name="inner"/>.</summary>
    /// <param name="inner">Destination.</param>
    /// <param name="onBytes">Called with each chunk's size (progress).</param>
    /// <param name="leaveOpen">Leave the inner stream open on dispose.</param>
    /// <returns>The wrapper.</returns>
    public static HashingStream ForWriting(Stream inner, Action<int>? onBytes = null, bool leaveOpen = false) => new(inner, true, leaveOpen, onBytes);

    /// <summary>Hashes what is read from <paramref name="inner"/>.</summary>
    /// <param name="inner">Source.</param>
    /// <param name="onBytes">Called with each chunk's size (progress).</param>
    /// <param name="leaveOpen">Leave the inner stream open on dispose.</param>
    /// <returns>The wrapper.</returns>
    public static HashingStream ForReading(Stream inner, Action<int>? onBytes = null, bool leaveOpen = false) => new(inner, false, leaveOpen, onBytes);

    /// <summary>
    /// Hashes what is read from a forward-only stream of known length (a tar entry read from a
    /// container's archive stream), reporting that length like a file so archive writers can use it.
    /// </summary>
    /// <param name="inner">Source.</param>
    /// <param name="length">Bytes the source holds.</param>
    /// <param name="onBytes">Called with each chunk's size (progress).</param>
    /// <returns>The wrapper; the inner stream is left open.</returns>
    public static HashingStream ForReading(Stream inner, long length, Action<int>? onBytes) => new(inner, false, true, onBytes, length);

    /// <summary>Bytes that went through.</summary>
    public long BytesCount => _count;

    /// <summary>SHA-256 of the bytes so far, lower-case hex.</summary>
    /// <returns>The hash.</returns>
    public string Sha256() => Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant();

    /// <inheritdoc/>
    public override bool CanRead => !_writing;

    /// <inheritdoc/>
    public override bool CanSeek => !_writing && (_length is not null || _inner.CanSeek);

    /// <inheritdoc/>
    public override bool CanWrite => _writing;

    /// <inheritdoc/>
    public override long Length => _length ?? _inner.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _count;
        set
        {
            if (value != _count)
            {
                throw new NotSupportedException("A hashing stream reads every byte once.");
            }
        }
    }

    /// <inheritdoc/>
    public override void Flush() => _inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int readable = Readable(buffer.Length);
        if (readable == 0 && buffer.Length > 0)
        {
            return 0;
        }

        int read = _inner.Read(buffer[..readable]);
        Account(buffer[..read]);
        return read;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int readable = Readable(buffer.Length);
        if (readable == 0 && buffer.Length > 0)
        {
            return 0;
        }

        int read = await _inner.ReadAsync(buffer[..readable], cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
        return read;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        Account(buffer);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span);
    }

    // A tar entry's stream throws when read at its end instead of returning 0: never ask past the known length.
    private int Readable(int requested) => _length is { } length ? (int)Math.Min(requested, Math.Max(0, length - _count)) : requested;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _count + offset,
            _ => Length + offset,
        };
        Position = target;
        return _count;
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        _hash.AppendData(bytes);
        _count += bytes.Length;
        _onBytes?.Invoke(bytes.Length);
    }
}
