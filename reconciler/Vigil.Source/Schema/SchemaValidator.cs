using System.Globalization;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Source.Yaml;

namespace Vigil.Source.Schema;

/// <summary>
/// Checks a document against its kind's schema with NJsonSchema and turns each error into a diagnostic
/// an operator understands, at the line and column of the field.
/// </summary>
internal sealed class SchemaValidator(SchemaSet schemas)
{
    private static readonly JsonSchemaValidatorSettings Settings = new() { PropertyStringComparer = StringComparer.Ordinal };

    /// <summary>Returns true when the document may be bound to its kind's record.</summary>
    public bool Validate(YamlDocument document, DiagnosticBag diagnostics)
    {
        if (document.Root is not JObject root)
        {
            diagnostics.Error(document.Origin, "", "schema", "a document must be a mapping with apiVersion, kind, metadata and spec");
            return false;
        }
        if (root["kind"] is not JValue { Type: JTokenType.String } kindToken)
        {
            diagnostics.Error(document.Origin, root.ContainsKey("kind") ? "kind" : "", "schema",
                $"missing or non-text field 'kind'; one of: {string.Join(", ", Kinds.All)}");
            return false;
        }
        var kind = (string)kindToken!;
        if (!Kinds.All.Contains(kind))
        {
            diagnostics.Error(document.Origin, "kind", "schema",
                $"unknown kind '{kind}'{NearMiss.Suggestion(kind, Kinds.All)} (kinds: {string.Join(", ", Kinds.All)})");
            return false;
        }

        var errors = Flatten(new JsonSchemaValidator(Settings).Validate(root, schemas.For(kind))).ToList();
        foreach (var error in errors.Where(e => !IsExplainedByNearMiss(e, errors)))
        {
            var (field, message) = Describe(error);
            diagnostics.Error(document.Origin, field, "schema", message);
        }
        return errors.Count == 0;
    }

    /// <summary>
    /// <c>virtualRouterID: 51</c> is one defect: the unknown field's suggestion already says what the
    /// "missing required field 'virtualRouterId'" error would.
    /// </summary>
    private static bool IsExplainedByNearMiss(ValidationError error, List<ValidationError> all) =>
        error.Kind == ValidationErrorKind.PropertyRequired && all.Any(other =>
            other.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed
            && SourceOrigin.Parent(FieldPath(other.Path)) == SourceOrigin.Parent(FieldPath(error.Path))
            && NearMiss.Closest(other.Property ?? "", [error.Property ?? ""]) is not null);

    /// <summary>Array-item and multi-type errors wrap the real ones; report those.</summary>
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            var children = error switch
            {
                ChildSchemaValidationError child => child.Errors.SelectMany(e => e.Value),
                MultiTypeValidationError multi => multi.Errors.SelectMany(e => e.Value),
                _ => null,
            };
            if (children is null)
            {
                yield return error;
                continue;
            }
            foreach (var inner in Flatten(children))
            {
                yield return inner;
            }
        }
    }

    private static (string Field, string Message) Describe(ValidationError error)
    {
        var path = FieldPath(error.Path);
        var schema = error.Schema?.ActualSchema;
        var got = Show(error.Token);
        switch (error.Kind)
        {
            case ValidationErrorKind.NoAdditionalPropertiesAllowed:
            {
                var name = error.Property ?? "";
                var known = schema?.ActualProperties.Keys.ToList() ?? [];
                var near = NearMiss.Closest(name, known);
                return (path, near is not null
                    ? $"unknown field '{name}'; did you mean '{near}'?"
                    : $"unknown field '{name}' (fields here: {string.Join(", ", known)})");
            }
            case ValidationErrorKind.PropertyRequired:
                // Reported at the parent: that is where the missing field would be written.
                return (SourceOrigin.Parent(path), $"missing required field '{error.Property}'");
            case ValidationErrorKind.StringExpected or ValidationErrorKind.PatternMismatch when schema?.Pattern == Durations.Pattern:
                return (path, $"must be a duration with a unit, like 100ms, 1s or 5m (got {got})");
            case ValidationErrorKind.StringExpected:
                return (path, $"must be text (got {got}){(error.Token?.Type is JTokenType.Integer or JTokenType.Float or JTokenType.Boolean ? "; put it in quotes" : "")}");
            case ValidationErrorKind.IntegerExpected:
                return (path, $"must be a whole number (got {got})");
            case ValidationErrorKind.NumberExpected:
                return (path, $"must be a number (got {got})");
            case ValidationErrorKind.BooleanExpected:
                return (path, $"must be true or false (got {got})");
            case ValidationErrorKind.ArrayExpected:
                return (path, $"must be a list (got {got})");
            case ValidationErrorKind.ObjectExpected:
                return (path, $"must be a mapping (got {got}){Hint(schema)}");
            case ValidationErrorKind.NumberTooSmall:
                return (path, $"must be at least {Number(schema?.Minimum)} (got {got})");
            case ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig:
                return (path, $"must be at most {Number(schema?.Maximum)} (got {got})");
            case ValidationErrorKind.StringTooShort:
                return (path, schema?.MinLength is 1 ? "must not be empty" : $"must be at least {schema?.MinLength} characters (got {got})");
            case ValidationErrorKind.StringTooLong:
                return (path, $"must be at most {schema?.MaxLength} characters (got {got})");
            case ValidationErrorKind.PatternMismatch:
                return (path, $"{got} is not valid{Hint(schema)}");
            case ValidationErrorKind.NotInEnumeration:
            {
                var allowed = schema?.Enumeration.Select(e => e?.ToString() ?? "null").ToList() ?? [];
                var suggestion = error.Token?.Type == JTokenType.String ? NearMiss.Suggestion((string)error.Token!, allowed) : "";
                return (path, $"{got} is not one of: {string.Join(", ", allowed)}{suggestion}");
            }
            case ValidationErrorKind.TooFewItems:
                return (path, $"needs at least {schema?.MinItems} item{(schema?.MinItems == 1 ? "" : "s")}");
            case ValidationErrorKind.TooManyItems:
                return (path, $"takes at most {schema?.MaxItems} items");
            case ValidationErrorKind.ItemsNotUnique:
                return (path, "lists the same item more than once");
            case ValidationErrorKind.TooFewProperties or ValidationErrorKind.TooManyProperties:
                return (path, $"set exactly one of: {string.Join(", ", schema?.ActualProperties.Keys ?? [])}{Hint(schema)}");
            default:
                return (path, $"{error.Kind} (got {got})");
        }
    }

    /// <summary>NJsonSchema paths look like <c>#/spec.members[0].priority</c>; ours drop the <c>#/</c>.</summary>
    internal static string FieldPath(string? path) =>
        path is null ? "" : path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');

    private static string Hint(JsonSchema? schema) => schema?.Description is { Length: > 0 } d ? $": {d.TrimEnd('.')}" : "";

    private static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string Show(JToken? token) => token switch
    {
        null => "nothing",
        { Type: JTokenType.Null } => "an empty value",
        { Type: JTokenType.String } => $"'{(string)token!}'",
        { Type: JTokenType.Object } => "a mapping",
        { Type: JTokenType.Array } => "a list",
        { Type: JTokenType.Boolean } => (bool)token ? "true" : "false",
        JValue value => Convert.ToString(value.Value, CultureInfo.InvariantCulture) ?? "?",
        _ => token.ToString(),
    };
}
