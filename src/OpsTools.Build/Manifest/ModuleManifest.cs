using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace OpsTools.Build.Manifest;

/// <summary>
/// The module manifest (.psd1) as far as the build needs it: the explicit CmdletsToExport list
/// and the ModuleVersion string, found among the top-level keys of the manifest's hashtable by
/// a small PowerShell tokenizer (so comments, nested hashtables such as RequiredModules, and
/// either kind of quote are told apart). The rest of the text is kept byte for byte.
/// </summary>
internal sealed class ModuleManifest
{
    private readonly string _text;
    private readonly Encoding _encoding;
    private readonly Token _moduleVersion;

    private ModuleManifest(string path, string text, Encoding encoding, IReadOnlyList<ManifestName> cmdletsToExport, SourceLocation cmdletsToExportLocation, Token moduleVersion)
    {
        Path = path;
        _text = text;
        _encoding = encoding;
        CmdletsToExport = cmdletsToExport;
        CmdletsToExportLocation = cmdletsToExportLocation;
        _moduleVersion = moduleVersion;
    }

    public string Path { get; }

    /// <summary>The module's name: the manifest's file name without extension.</summary>
    public string ModuleName => System.IO.Path.GetFileNameWithoutExtension(Path);

    public IReadOnlyList<ManifestName> CmdletsToExport { get; }

    /// <summary>Where the CmdletsToExport key is, for errors about the list as a whole.</summary>
    public SourceLocation CmdletsToExportLocation { get; }

    public string ModuleVersion => _moduleVersion.Value;

    public static ModuleManifest? Read(string path, List<Diagnostic> diagnostics)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, $"Cannot read the module manifest: {ex.Message}", new SourceLocation(path)));
            return null;
        }

        Encoding encoding = DetectEncoding(bytes, out int preambleLength);
        return Parse(path, encoding.GetString(bytes, preambleLength, bytes.Length - preambleLength), encoding, diagnostics);
    }

    public static ModuleManifest? Parse(string path, string text, Encoding encoding, List<Diagnostic> diagnostics)
    {
        var lines = new LineMap(path, text);
        int errorCount = diagnostics.Count;
        List<Token> tokens = Tokenize(text, lines, diagnostics);
        if (diagnostics.Count > errorCount)
        {
            return null;
        }

        Token? cmdletsKey = null;
        Token? versionKey = null;
        int cmdletsValue = -1;
        int versionValue = -1;
        int braces = 0;
        int parens = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            Token token = tokens[i];
            if (token.Kind == TokenKind.Punctuation)
            {
                switch (token.Value)
                {
                    case "@{" or "{": braces++; break;
                    case "}": braces--; break;
                    case "@(" or "(": parens++; break;
                    case ")": parens--; break;
                }

                continue;
            }

            bool isTopLevelKey = braces == 1 && parens == 0 && i + 1 < tokens.Count && tokens[i + 1].Is("=");
            if (!isTopLevelKey)
            {
                continue;
            }

            if (string.Equals(token.Value, "CmdletsToExport", StringComparison.OrdinalIgnoreCase))
            {
                if (cmdletsKey is not null)
                {
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "CmdletsToExport is set more than once.", lines.Locate(token.Start)));
                }

                cmdletsKey = token;
                cmdletsValue = i + 2;
            }
            else if (string.Equals(token.Value, "ModuleVersion", StringComparison.OrdinalIgnoreCase))
            {
                if (versionKey is not null)
                {
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "ModuleVersion is set more than once.", lines.Locate(token.Start)));
                }

                versionKey = token;
                versionValue = i + 2;
            }
        }

        if (cmdletsKey is null)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "The manifest has no CmdletsToExport entry; list every cmdlet explicitly.", lines.Locate(0)));
        }

        Token? version = null;
        if (versionKey is null)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "The manifest has no ModuleVersion entry.", lines.Locate(0)));
        }
        else if (versionValue >= tokens.Count || tokens[versionValue].Kind != TokenKind.String || tokens[versionValue].IsHereString)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "ModuleVersion must be a quoted string, such as '0.0.0'.", lines.Locate(versionKey.Value.Start)));
        }
        else
        {
            version = tokens[versionValue];
        }

        List<ManifestName>? names = cmdletsKey is null ? null : ReadNameList(tokens, cmdletsValue, cmdletsKey.Value, lines, diagnostics);
        if (diagnostics.Count > errorCount || names is null || version is null)
        {
            return null;
        }

        return new ModuleManifest(path, text, encoding, names, lines.Locate(cmdletsKey!.Value.Start), version.Value);
    }

    /// <summary>The manifest's text with only the ModuleVersion string's content replaced.</summary>
    public string WithModuleVersion(string version) =>
        string.Concat(_text.AsSpan(0, _moduleVersion.ContentStart), version, _text.AsSpan(_moduleVersion.ContentEnd));

    /// <summary>Writes <see cref="WithModuleVersion"/> in the source's encoding (byte order mark included).</summary>
    public void WriteWithModuleVersion(string outputPath, string version)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(outputPath)!);
        using var stream = new FileStream(outputPath, FileMode.Create, FileAccess.Write);
        stream.Write(_encoding.GetPreamble());
        stream.Write(_encoding.GetBytes(WithModuleVersion(version)));
    }

    private static List<ManifestName>? ReadNameList(List<Token> tokens, int start, Token key, LineMap lines, List<Diagnostic> diagnostics)
    {
        var values = new List<Token>();
        if (start < tokens.Count && tokens[start].Is("@("))
        {
            int depth = 0;
            int i = start + 1;
            for (; i < tokens.Count && !(depth == 0 && tokens[i].Is(")")); i++)
            {
                if (tokens[i].Is("(") || tokens[i].Is("@("))
                {
                    depth++;
                }
                else if (tokens[i].Is(")"))
                {
                    depth--;
                }
                else if (!tokens[i].Is(",") && !tokens[i].Is(";"))
                {
                    values.Add(tokens[i]);
                }
            }

            if (i >= tokens.Count)
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "The CmdletsToExport list is not closed with ')'.", lines.Locate(key.Start)));
                return null;
            }
        }
        else
        {
            for (int i = start; i < tokens.Count; i += 2)
            {
                values.Add(tokens[i]);
                if (i + 1 >= tokens.Count || !tokens[i + 1].Is(","))
                {
                    break;
                }
            }
        }

        var names = new List<ManifestName>();
        foreach (Token value in values)
        {
            if (value.Kind != TokenKind.String)
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, $"CmdletsToExport must list quoted cmdlet names; found '{value.Value}'.", lines.Locate(value.Start)));
            }
            else if (value.Value.IndexOfAny(['*', '?', '[']) >= 0)
            {
                diagnostics.Add(new Diagnostic(
                    ErrorCodes.MalformedManifest,
                    $"CmdletsToExport must name each cmdlet; the wildcard '{value.Value}' hides what the module exports.",
                    lines.Locate(value.Start)));
            }
            else
            {
                names.Add(new ManifestName(value.Value, lines.Locate(value.Start)));
            }
        }

        return names;
    }

    private static Encoding DetectEncoding(byte[] bytes, out int preambleLength)
    {
        if (bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            preambleLength = 3;
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        }

        if (bytes.AsSpan().StartsWith(new byte[] { 0xFF, 0xFE }))
        {
            preambleLength = 2;
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
        }

        if (bytes.AsSpan().StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            preambleLength = 2;
            return new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
        }

        preambleLength = 0;
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    }

    // PowerShell accepts typographic quotes as well as ASCII ones.
    private static bool IsSingleQuote(char c) => c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B';

    private static bool IsDoubleQuote(char c) => c is '"' or '\u201C' or '\u201D' or '\u201E';

    private static List<Token> Tokenize(string text, LineMap lines, List<Diagnostic> diagnostics)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '<' && At(text, i + 1, '#'))
            {
                int end = text.IndexOf("#>", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "A '<#' comment is not closed with '#>'.", lines.Locate(i)));
                    return tokens;
                }

                i = end + 2;
            }
            else if (c == '@' && i + 1 < text.Length && (IsSingleQuote(text[i + 1]) || IsDoubleQuote(text[i + 1])))
            {
                int? next = ReadHereString(text, i, tokens);
                if (next is null)
                {
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "A here-string is not closed.", lines.Locate(i)));
                    return tokens;
                }

                i = next.Value;
            }
            else if (c == '@' && (At(text, i + 1, '{') || At(text, i + 1, '(')))
            {
                tokens.Add(new Token(TokenKind.Punctuation, text.Substring(i, 2), i, i + 2, i + 2));
                i += 2;
            }
            else if ("{}()=;,".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Token(TokenKind.Punctuation, c.ToString(), i, i + 1, i + 1));
                i++;
            }
            else if (IsSingleQuote(c) || IsDoubleQuote(c))
            {
                int? next = ReadString(text, i, tokens);
                if (next is null)
                {
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedManifest, "A string is not closed.", lines.Locate(i)));
                    return tokens;
                }

                i = next.Value;
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && !"{}()=;,#".Contains(text[i], StringComparison.Ordinal)
                    && !IsSingleQuote(text[i]) && !IsDoubleQuote(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, text[start..i], start, start, i));
            }
        }

        return tokens;
    }

    // 'text' with '' for a quote; "text" with `x escapes and "" for a quote.
    private static int? ReadString(string text, int start, List<Token> tokens)
    {
        bool single = IsSingleQuote(text[start]);
        var value = new StringBuilder();
        for (int i = start + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (!single && c == '`' && i + 1 < text.Length)
            {
                value.Append(text[++i]);
            }
            else if (single ? IsSingleQuote(c) : IsDoubleQuote(c))
            {
                if (i + 1 < text.Length && (single ? IsSingleQuote(text[i + 1]) : IsDoubleQuote(text[i + 1])))
                {
                    value.Append(c);
                    i++;
                }
                else
                {
                    tokens.Add(new Token(TokenKind.String, value.ToString(), start, start + 1, i));
                    return i + 1;
                }
            }
            else
            {
                value.Append(c);
            }
        }

        return null;
    }

    // @'<newline> ... <newline>'@ : the closing quote must start a line.
    private static int? ReadHereString(string text, int start, List<Token> tokens)
    {
        char quote = text[start + 1];
        int firstLineEnd = text.IndexOf('\n', start);
        if (firstLineEnd < 0)
        {
            return null;
        }

        int contentStart = firstLineEnd + 1;
        for (int lineStart = contentStart; lineStart < text.Length;)
        {
            if (text[lineStart] == quote && At(text, lineStart + 1, '@'))
            {
                int contentEnd = Math.Max(contentStart, lineStart - 1);
                tokens.Add(new Token(TokenKind.String, text[contentStart..contentEnd].TrimEnd('\r'), start, contentStart, contentEnd, IsHereString: true));
                return lineStart + 2;
            }

            int lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                break;
            }

            lineStart = lineEnd + 1;
        }

        return null;
    }

    private static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

    private enum TokenKind
    {
        Word,
        String,
        Punctuation,
    }

    /// <summary>A token; for a string, Value is its content unescaped and [ContentStart, ContentEnd) its span inside the quotes.</summary>
    private readonly record struct Token(TokenKind Kind, string Value, int Start, int ContentStart, int ContentEnd, bool IsHereString = false)
    {
        public bool Is(string punctuation) => Kind == TokenKind.Punctuation && Value == punctuation;
    }

    private sealed class LineMap
    {
        private readonly string _path;
        private readonly List<int> _lineStarts = [0];

        public LineMap(string path, string text)
        {
            _path = path;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SourceLocation Locate(int offset)
        {
            int line = _lineStarts.BinarySearch(offset);
            if (line < 0)
            {
                line = ~line - 1;
            }

            return new SourceLocation(_path, line + 1, offset - _lineStarts[line] + 1);
        }
    }
}

/// <summary>A cmdlet name listed in CmdletsToExport, with where it is written.</summary>
internal sealed record ManifestName(string Name, SourceLocation Location);
