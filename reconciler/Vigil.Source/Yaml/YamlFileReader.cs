using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Vigil.Source.Yaml;

/// <summary>
/// Reads a YAML file into JSON trees, one per document, recording the line and column of every
/// key and value by path so that schema errors can point at the text.
/// </summary>
internal static partial class YamlFileReader
{
    public static IReadOnlyList<YamlDocument> Read(string displayPath, string text, DiagnosticBag diagnostics)
    {
        if (text.Length > InputLimits.FileCharacters)
        {
            diagnostics.Add(new Diagnostic(Severity.Error, "file-size", displayPath, new SourcePosition(1, 1), "",
                $"the file is larger than {InputLimits.FileCharacters / (1024 * 1024)} MiB, the most one file of a revision may be: split it"));
            return [];
        }
        var parser = new Parser(new StringReader(text));
        var documents = new List<YamlDocument>();
        var budget = new NodeBudget();
        try
        {
            parser.Consume<StreamStart>();
            for (var index = 0; parser.TryConsume<DocumentStart>(out var start); index++)
            {
                if (index == InputLimits.DocumentsPerFile)
                {
                    throw new YamlException(start.Start, start.End, $"more than {InputLimits.DocumentsPerFile:N0} documents in one file: split it");
                }
                var fields = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
                var root = new DocumentReader(parser, fields, budget).ReadNode("", 0);
                parser.Consume<DocumentEnd>();
                if (root.Type != JTokenType.Null || fields.Count > 1)
                {
                    documents.Add(new YamlDocument(displayPath, index, root, new SourceOrigin(displayPath, fields.GetValueOrDefault("", Position(start.Start)), fields)));
                }
            }
            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Replace("\n", " ", StringComparison.Ordinal);
            diagnostics.Add(new Diagnostic(Severity.Error, "yaml", displayPath, Position(e.Start), "", $"malformed YAML: {TrimMark(message)}"));
            return [];
        }
        catch (ArgumentException e)
        {
            // YamlDotNet refuses some malformed text this way (a global tag that is not a URI: found by fuzzing).
            var at = parser.Current?.Start ?? Mark.Empty;
            diagnostics.Add(new Diagnostic(Severity.Error, "yaml", displayPath, Position(at), "", $"malformed YAML: {e.Message}"));
            return [];
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet fails this way on some unterminated flow collections; the last event it read is the best position we have.
            var at = parser.Current?.Start ?? Mark.Empty;
            diagnostics.Add(new Diagnostic(Severity.Error, "yaml", displayPath, Position(at), "",
                "malformed YAML: the parser could not continue after this point (an unclosed '[' or '{'?)"));
            return [];
        }
        return documents;
    }

    /// <summary>
    /// Builds one document's JSON tree straight from the parser's events (no intermediate YAML node tree:
    /// it halves the allocations on large repositories), noting where each field was written.
    /// </summary>
    /// <summary>The values read from one file so far, every alias counted as the copy it becomes.</summary>
    private sealed class NodeBudget
    {
        public long Used { get; private set; }

        public void Take(long nodes, Mark start, Mark end)
        {
            Used += nodes;
            if (Used > InputLimits.NodesPerFile)
            {
                throw new YamlException(start, end,
                    $"the file expands to more than {InputLimits.NodesPerFile:N0} values (aliases count as the copies they make): a YAML bomb?");
            }
        }
    }

    private sealed class DocumentReader(IParser parser, Dictionary<string, SourcePosition> fields, NodeBudget budget)
    {
        private readonly Dictionary<string, (JToken Token, long Size)> _anchors = new(StringComparer.Ordinal);

        public JToken ReadNode(string path, int depth)
        {
            var start = parser.Current!.Start;
            if (depth > InputLimits.Depth)
            {
                // Refused before it recurses further: a deep document must not exhaust the stack.
                throw new YamlException(start, parser.Current.End, $"nested deeper than {InputLimits.Depth} levels");
            }
            budget.Take(1, start, parser.Current.End);
            var before = budget.Used;
            fields.TryAdd(path, Position(start));
            JToken token;
            string? anchor = null;
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value}");
                    }
                    // A JSON node has one parent: an alias gets its own copy, counted before it is made.
                    budget.Take(target.Size - 1, alias.Start, alias.End);
                    return target.Token.DeepClone();
                case Scalar scalar:
                    parser.MoveNext();
                    anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                    token = Scalar(scalar);
                    break;
                case SequenceStart sequence:
                    parser.MoveNext();
                    anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
                    var array = new JArray();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        array.Add(ReadNode($"{path}[{array.Count}]", depth + 1));
                    }
                    token = array;
                    break;
                case MappingStart mapping:
                    parser.MoveNext();
                    anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
                    token = ReadMapping(path, depth);
                    break;
                default:
                    throw new YamlException(start, parser.Current!.End, $"unexpected {parser.Current.GetType().Name}");
            }
            if (anchor is not null)
            {
                _anchors[anchor] = (token, budget.Used - before + 1);
            }
            return token;
        }

        private JObject ReadMapping(string path, int depth)
        {
            var obj = new JObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (parser.Current is not Scalar key)
                {
                    throw new YamlException(parser.Current!.Start, parser.Current.End, "a key must be plain text");
                }
                parser.MoveNext();
                var name = key.Value;
                if (obj.ContainsKey(name))
                {
                    throw new YamlException(key.Start, key.End, $"Duplicate key {name}");
                }
                var childPath = path.Length == 0 ? name : $"{path}.{name}";
                // A field is reported where its key is written: that is where the operator looks.
                fields[childPath] = Position(key.Start);
                obj[name] = ReadNode(childPath, depth + 1);
            }
            return obj;
        }
    }

    /// <summary>Types a scalar by the YAML 1.2 core schema: quoted or tagged !!str stays a string.</summary>
    private static JValue Scalar(Scalar scalar)
    {
        var value = scalar.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded
            || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return new JValue(value);
        }
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return JValue.CreateNull();
            case "true" or "True" or "TRUE":
                return new JValue(true);
            case "false" or "False" or "FALSE":
                return new JValue(false);
        }
        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return new JValue(integer);
        }
        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new JValue(number);
        }
        return new JValue(value);
    }

    private static SourcePosition Position(Mark mark) => new((int)mark.Line, (int)mark.Column);

    /// <summary>YamlDotNet appends its own "(Line: .., Col: ..)" marks; the diagnostic already carries them.</summary>
    private static string TrimMark(string message) => MarkPattern().Replace(message, "").Trim();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex("\\(Line: \\d+, Col: \\d+, Idx: \\d+\\) - \\(Line: \\d+, Col: \\d+, Idx: \\d+\\):?")]
    private static partial Regex MarkPattern();
}
