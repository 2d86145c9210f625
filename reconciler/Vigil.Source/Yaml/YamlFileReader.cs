using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Source.Yaml;

/// <summary>
/// Reads a YAML file into JSON trees, one per document, recording the line and column of every
/// key and value by path so that schema errors can point at the text.
/// </summary>
internal static partial class YamlFileReader
{
    public static IReadOnlyList<YamlDocument> Read(string displayPath, string text, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Replace("\n", " ", StringComparison.Ordinal);
            diagnostics.Add(new Diagnostic(Severity.Error, "yaml", displayPath, Position(e.Start), "", $"malformed YAML: {TrimMark(message)}"));
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

        var documents = new List<YamlDocument>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (root is YamlScalarNode { Value: null or "" } && root.Tag.IsEmpty)
            {
                continue; // an empty document, e.g. a trailing '---'
            }
            var fields = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            var json = Convert(root, "", fields);
            documents.Add(new YamlDocument(displayPath, i, json, new SourceOrigin(displayPath, Position(root.Start), fields)));
        }
        return documents;
    }

    private static JToken Convert(YamlNode node, string path, Dictionary<string, SourcePosition> fields)
    {
        fields.TryAdd(path, Position(node.Start));
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : keyNode.ToString();
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    // A field is reported where its key is written: that is where the operator looks.
                    fields[childPath] = Position(keyNode.Start);
                    obj[key] = Convert(valueNode, childPath, fields);
                }
                return obj;
            case YamlSequenceNode sequence:
                var array = new JArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(Convert(sequence.Children[i], $"{path}[{i}]", fields));
                }
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return JValue.CreateNull();
        }
    }

    /// <summary>Types a scalar by the YAML 1.2 core schema: quoted or tagged !!str stays a string.</summary>
    private static JValue Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
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
