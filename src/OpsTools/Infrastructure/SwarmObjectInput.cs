using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using OpsTools.Swarm;

namespace OpsTools.Infrastructure;

/// <summary>
/// The data of a new secret or config, from -Value, -Path or the pipeline (strings or bytes).
/// Holds the bytes only as long as the command runs and clears them when disposed; no message
/// ever contains them.
/// </summary>
internal sealed class SwarmObjectInput : IDisposable
{
    private readonly SwarmObjectKind _kind;
    private readonly List<byte> _bytes = new();
    private readonly List<string> _lines = new();
    private byte[]? _data;

    public SwarmObjectInput(SwarmObjectKind kind)
    {
        _kind = kind;
    }

    /// <summary>Error id prefix: SwarmSecret or SwarmConfig.</summary>
    private string Prefix => "Swarm" + _kind;

    /// <summary>Takes the characters of a SecureString as UTF-8, without making a managed string of them.</summary>
    public void SetSecureString(SecureString value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(value);
        char[] chars = new char[value.Length];
        try
        {
            Marshal.Copy(unmanaged, chars, 0, chars.Length);
            _data = Encoding.UTF8.GetBytes(chars);
        }
        finally
        {
            Array.Clear(chars);
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }

    /// <summary>Takes a string as UTF-8 (configs: their data is not secret).</summary>
    public void SetString(string value) => _data = Encoding.UTF8.GetBytes(value);

    /// <summary>Reads a file of the file system provider; returns an error record instead of throwing.</summary>
    public ErrorRecord? SetPath(PSCmdlet cmdlet, string path)
    {
        string resolved;
        try
        {
            var paths = cmdlet.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider);
            if (provider.Name != "FileSystem" || paths.Count != 1)
            {
                return ErrorRecords.Create($"{Prefix}PathInvalid", ErrorCategory.InvalidArgument, path,
                    $"'{path}' does not name one file of the file system.", "Give the path of one file.");
            }

            resolved = paths[0];
        }
        catch (ItemNotFoundException)
        {
            return ErrorRecords.Create($"{Prefix}FileNotFound", ErrorCategory.ObjectNotFound, path,
                $"The file '{path}' does not exist.", "Check the path.");
        }

        if (!File.Exists(resolved))
        {
            return ErrorRecords.Create($"{Prefix}FileNotFound", ErrorCategory.ObjectNotFound, path,
                $"'{path}' is not a file.", "Give the path of a file, not of a directory.");
        }

        try
        {
            _data = File.ReadAllBytes(resolved);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ErrorRecords.Create($"{Prefix}FileUnreadable", ErrorCategory.ReadError, path,
                $"The file '{path}' cannot be read: {ex.Message}", "Check the file's permissions.");
        }

        return null;
    }

    /// <summary>
    /// Adds a pipeline item: one SecureString is the whole value (as from Get-Secret), strings are
    /// lines (joined with a line feed), bytes and byte arrays are appended. Returns an error record
    /// for anything else, or for kinds mixed.
    /// </summary>
    public ErrorRecord? Add(object? item)
    {
        object? value = item is PSObject wrapped ? wrapped.BaseObject : item;
        switch (value)
        {
            case SecureString secure when _data is null && _lines.Count == 0 && _bytes.Count == 0:
                SetSecureString(secure);
                return null;
            case SecureString:
                return ErrorRecords.Create($"{Prefix}InputInvalid", ErrorCategory.InvalidArgument, null,
                    "The pipeline gives more than a single SecureString; pipe one SecureString, or text, or bytes.",
                    "Pipe one value (Get-Secret -Name X | ...), or pass it with -Value.");
            case string text when _data is null && _bytes.Count == 0:
                _lines.Add(text);
                return null;
            case byte single when _data is null && _lines.Count == 0:
                _bytes.Add(single);
                return null;
            case byte[] block when _data is null && _lines.Count == 0:
                _bytes.AddRange(block);
                return null;
            case string or byte or byte[]:
                return ErrorRecords.Create($"{Prefix}InputInvalid", ErrorCategory.InvalidArgument, null,
                    "The pipeline mixes a SecureString, strings and bytes; give one kind.",
                    "Pipe text (Get-Content -Raw) or bytes (Get-Content -AsByteStream), not both.");
            default:
                return ErrorRecords.Create($"{Prefix}InputInvalid", ErrorCategory.InvalidArgument, value?.GetType().FullName,
                    $"A {value?.GetType().FullName ?? "null"} cannot be the data of a {_kind.ToString().ToLowerInvariant()}: pipe strings or bytes.",
                    "Pipe text (Get-Content -Raw) or bytes (Get-Content -AsByteStream), or use -Path.");
        }
    }

    /// <summary>Labels from a hashtable (values as invariant strings, $null kept as null); an empty key gives an error record.</summary>
    public static Dictionary<string, string?> ParseLabels(Hashtable? table, SwarmObjectKind kind, out ErrorRecord? problem)
    {
        problem = null;
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table ?? new Hashtable())
        {
            string key = Convert.ToString(entry.Key is PSObject pk ? pk.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            if (key.Trim().Length == 0)
            {
                problem = ErrorRecords.Create($"Swarm{kind}LabelInvalid", ErrorCategory.InvalidArgument, key, "A label key must not be empty.", "Pass -Label @{ 'com.example.team' = 'ops' }.");
                return labels;
            }

            object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
            labels[key] = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        return labels;
    }

    /// <summary>The data gathered.</summary>
    public byte[] Data => _data ??= _lines.Count > 0 ? Encoding.UTF8.GetBytes(string.Join('\n', _lines)) : _bytes.ToArray();

    /// <summary>Clears every copy of the data this object holds.</summary>
    public void Dispose()
    {
        if (_data is not null)
        {
            Array.Clear(_data);
        }

        for (int i = 0; i < _bytes.Count; i++)
        {
            _bytes[i] = 0;
        }

        _lines.Clear();
    }
}
