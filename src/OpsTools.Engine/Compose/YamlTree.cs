using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpsTools.Engine.Compose;

/// <summary>A node of a compose file, with where it came from. Values are kept as text until typed.</summary>
internal abstract class YNode
{
    protected YNode(SourceMark mark) => Mark = mark;

    public SourceMark Mark { get; }

    public abstract YNode Clone();
}

internal sealed class YScalar : YNode
{
    public YScalar(SourceMark mark, string? value)
        : base(mark) => Value = value;

    /// <summary>The text, or null for a YAML null (<c>~</c>, <c>null</c>, nothing).</summary>
    public string? Value { get; set; }

    public override YNode Clone() => new YScalar(Mark, Value);
}

internal sealed class YSequence : YNode
{
    public YSequence(SourceMark mark)
        : base(mark)
    {
    }

    public List<YNode> Items { get; } = new();

    public override YNode Clone()
    {
        var copy = new YSequence(Mark);
        foreach (YNode item in Items)
        {
            copy.Items.Add(item.Clone());
        }

        return copy;
    }
}

/// <summary>A mapping that keeps the file's key order.</summary>
internal sealed class YMapping : YNode
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, (YNode Value, SourceMark KeyMark)> _entries = new(StringComparer.Ordinal);

    public YMapping(SourceMark mark)
        : base(mark)
    {
    }

    public IEnumerable<string> Keys => _order;

    public int Count => _order.Count;

    public YNode? this[string key] => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    public SourceMark KeyMark(string key) => _entries.TryGetValue(key, out var entry) ? entry.KeyMark : Mark;

    public bool Contains(string key) => _entries.ContainsKey(key);

    public void Set(string key, YNode value, SourceMark? keyMark = null)
    {
        if (_entries.TryGetValue(key, out var existing))
        {
            _entries[key] = (value, keyMark ?? existing.KeyMark);
            return;
        }

        _order.Add(key);
        _entries[key] = (value, keyMark ?? value.Mark);
    }

    public void Remove(string key)
    {
        if (_entries.Remove(key))
        {
            _order.Remove(key);
        }
    }

    public override YNode Clone()
    {
        var copy = new YMapping(Mark);
        foreach (string key in _order)
        {
            copy.Set(key, _entries[key].Value.Clone(), _entries[key].KeyMark);
        }

        return copy;
    }
}

/// <summary>Reads YAML text into <see cref="YNode"/>s with YamlDotNet's parser, resolving anchors and <c>&lt;&lt;</c> merge keys.</summary>
internal static class YamlTreeReader
{
    public static YNode? Read(string text, string file)
    {
        try
        {
            IParser parser = new MergingParser(new Parser(new StringReader(text)));
            var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            YNode root = ReadNode(parser, file, anchors);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var extra))
            {
                throw ComposeErrors.YamlInvalid(At(file, extra.Start), "a compose file holds one YAML document");
            }

            return root;
        }
        catch (YamlException ex)
        {
            string problem = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            // YamlDotNet's messages start with "(Line: x, Col: y, Idx: z) - (...): ": the position is already in the mark.
            int dash = problem.IndexOf("): ", StringComparison.Ordinal);
            if (problem.StartsWith("(Line", StringComparison.Ordinal) && dash > 0)
            {
                problem = problem[(dash + 3)..];
            }

            throw ComposeErrors.YamlInvalid(At(file, ex.Start), problem, ex);
        }
    }

    private static SourceMark At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static YNode ReadNode(IParser parser, string file, Dictionary<string, YNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out YNode? target))
            {
                throw ComposeErrors.YamlInvalid(At(file, alias.Start), $"undefined alias '*{alias.Value.Value}'");
            }

            return target.Clone();
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            bool isNull = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
            var node = new YScalar(At(file, scalar.Start), isNull ? null : scalar.Value);
            Remember(scalar.Anchor, node, anchors);
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var node = new YSequence(At(file, sequenceStart.Start));
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                node.Items.Add(ReadNode(parser, file, anchors));
            }

            Remember(sequenceStart.Anchor, node, anchors);
            return node;
        }

        MappingStart mappingStart = parser.Consume<MappingStart>();
        var mapping = new YMapping(At(file, mappingStart.Start));
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            YNode key = ReadNode(parser, file, anchors);
            if (key is not YScalar { Value: { } keyText })
            {
                throw ComposeErrors.YamlInvalid(key.Mark, "mapping keys must be plain text");
            }

            YNode value = ReadNode(parser, file, anchors);
            // MergingParser replays merged entries before the mapping's own; a later key overrides them.
            if (mapping.Contains(keyText) && !IsFromMerge(mapping.KeyMark(keyText), mapping.Mark))
            {
                throw ComposeErrors.YamlInvalid(key.Mark, $"duplicate key '{keyText}'");
            }

            mapping.Set(keyText, value, key.Mark);
        }

        Remember(mappingStart.Anchor, mapping, anchors);
        return mapping;
    }

    /// <summary>A key written before the mapping itself starts came from a merge (<c>&lt;&lt;: *anchor</c>).</summary>
    private static bool IsFromMerge(SourceMark earlierKey, SourceMark mappingStart) =>
        earlierKey.Line < mappingStart.Line || (earlierKey.Line == mappingStart.Line && earlierKey.Column < mappingStart.Column);

    private static void Remember(AnchorName anchor, YNode node, Dictionary<string, YNode> anchors)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }
}
