using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Docker.DotNet;
using OpsTools.Swarm;

namespace OpsTools.Engine.Docker;

/// <summary>
/// Turns a Docker log stream (service or container logs, multiplexed stdout/stderr) into lines,
/// shared by the Swarm and compose log readers.
/// </summary>
internal static class DockerLogLines
{
    /// <summary>
    /// Reads the stream to its end (or until cancelled), demultiplexed, one UTF-8 line at a time;
    /// a partial line is kept until its end arrives. The stream is disposed on cancellation, which is
    /// what reliably unblocks a pending read when the user presses Ctrl+C.
    /// </summary>
    /// <param name="stream">The daemon's log stream; the caller disposes it.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>Each line with the stream it came from.</returns>
    public static async IAsyncEnumerable<(LogStream Stream, string Line)> ReadAsync(MultiplexedStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((MultiplexedStream)s!).Dispose(), stream);
        var splitters = new Dictionary<LogStream, LineSplitter> { [LogStream.StdOut] = new(), [LogStream.StdErr] = new() };
        byte[] buffer = new byte[81920];
        while (true)
        {
            MultiplexedStream.ReadResult read;
            try
            {
                read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is ObjectDisposedException or System.IO.IOException or OperationCanceledException)
            {
                yield break;
            }

            if (read.EOF || read.Count == 0)
            {
                break;
            }

            LogStream target = read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.StdErr : LogStream.StdOut;
            foreach (string line in splitters[target].Push(buffer, read.Count))
            {
                yield return (target, line);
            }
        }

        foreach ((LogStream target, LineSplitter splitter) in splitters)
        {
            if (splitter.Flush() is { } rest)
            {
                yield return (target, rest);
            }
        }
    }

    /// <summary>Splits the RFC 3339 timestamp the daemon puts before each line when asked to.</summary>
    /// <param name="line">The line as received.</param>
    /// <param name="timestamp">The timestamp, or null when the line has none.</param>
    /// <returns>The rest of the line.</returns>
    public static string SplitTimestamp(string line, out DateTimeOffset? timestamp)
    {
        timestamp = null;
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        string head = space > 0 ? line[..space] : line;
        if (head.Length > 0 && DateTimeOffset.TryParse(head, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
        {
            timestamp = parsed;
            return space > 0 ? line[(space + 1)..] : string.Empty;
        }

        return line;
    }

    /// <summary>Splits a byte stream into UTF-8 lines, keeping a partial line until its end arrives.</summary>
    internal sealed class LineSplitter
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly StringBuilder _pending = new();
        private char[] _chars = new char[4096];

        public IEnumerable<string> Push(byte[] buffer, int count)
        {
            int needed = _decoder.GetCharCount(buffer, 0, count);
            if (needed > _chars.Length)
            {
                _chars = new char[needed];
            }

            int decoded = _decoder.GetChars(buffer, 0, count, _chars, 0);
            var lines = new List<string>();
            for (int i = 0; i < decoded; i++)
            {
                char c = _chars[i];
                if (c == '\n')
                {
                    if (_pending.Length > 0 && _pending[^1] == '\r')
                    {
                        _pending.Length--;
                    }

                    lines.Add(_pending.ToString());
                    _pending.Clear();
                }
                else
                {
                    _pending.Append(c);
                }
            }

            return lines;
        }

        public string? Flush()
        {
            if (_pending.Length == 0)
            {
                return null;
            }

            string rest = _pending.ToString();
            _pending.Clear();
            return rest;
        }
    }
}
