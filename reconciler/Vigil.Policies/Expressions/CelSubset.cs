using Newtonsoft.Json.Linq;

namespace Vigil.Policies.Expressions;

/// <summary>
/// Vigil's implementation of the part of CEL that rules over documents need (see the README's table):
/// literals, field selection, <c>has()</c>, the operators, <c>all/exists/exists_one/map/filter</c>, string,
/// conversion and Kubernetes-style address functions. Written here rather than taken from a package so that
/// every tokeniser error is reported, <c>matches()</c> runs in linear time, and evaluation has a step budget.
/// </summary>
public sealed class CelSubset : IExpressionLanguage
{
    public const int MaxLength = 4_096;
    public const int StepBudget = 1_000_000;

    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal) { "object", "kind", "name", "file", "folder", "cluster", "params" };

    public static CelSubset Instance { get; } = new();

    public string Name => "CEL";

    public IRuleExpression Compile(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new ExpressionException($"an expression longer than {MaxLength} characters", MaxLength + 1);
        }
        var node = Parser.Parse(text, Variables);
        CheckLiteralPatterns(node);
        return new Compiled(node);
    }

    /// <summary>A literal pattern that cannot run is a mistake in the rule: report it when the rule compiles.</summary>
    private static void CheckLiteralPatterns(Node node)
    {
        var pending = new Stack<Node>([node]);
        while (pending.TryPop(out var current))
        {
            if (current is Call { Function: "matches" } call && call.Arguments[1] is Literal { Value: string pattern })
            {
                Functions.CheckPattern(pattern, call.Column);
            }
            foreach (var child in Children(current))
            {
                pending.Push(child);
            }
        }
    }

    private static IEnumerable<Node> Children(Node node) => node switch
    {
        Select s => [s.Operand],
        Has h => [h.Target],
        IndexOf i => [i.Operand, i.Index],
        Call c => c.Arguments,
        ListOf l => l.Items,
        MapOf m => m.Entries.SelectMany(e => new[] { e.Key, e.Value }),
        Unary u => [u.Operand],
        Binary b => [b.Left, b.Right],
        Conditional c => [c.Condition, c.Then, c.Else],
        Comprehension c => c.Filter is null ? [c.Range, c.Body] : [c.Range, c.Filter, c.Body],
        _ => [],
    };

    private sealed class Compiled(Node node) : IRuleExpression
    {
        public bool Test(RuleInput input)
        {
            var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["object"] = input.Converted(Values.FromJson),
                ["kind"] = input.Kind,
                ["name"] = input.Name,
                ["file"] = input.File,
                ["folder"] = input.Folder,
                ["cluster"] = input.Context.Cluster(Values.FromJson),
                ["params"] = input.Context.Parameters(Values.FromJson),
            };
            var result = new Evaluator(globals, StepBudget).Evaluate(node);
            return result as bool? ?? throw new ExpressionException($"a rule must give true or false, this one gave {Values.TypeName(result)}", 1);
        }
    }
}

/// <summary>The expression language rules are written in, behind our own seam so that it can be swapped.</summary>
public interface IExpressionLanguage
{
    string Name { get; }

    /// <summary>Throws <see cref="ExpressionException"/> with the column when the text is not a valid expression.</summary>
    IRuleExpression Compile(string text);
}

public interface IRuleExpression
{
    /// <summary>True when the document passes; throws <see cref="ExpressionException"/> when it cannot be evaluated on it.</summary>
    bool Test(RuleInput input);
}

/// <summary>
/// What every rule sees whatever the document: the Cluster as written (null when there is none) and the repository's
/// policy parameters (an empty map when none are declared), each converted once.
/// </summary>
public sealed class RuleContext(JToken? cluster, JObject parameters)
{
    public static RuleContext Empty { get; } = new(null, new JObject());

    private readonly ConvertedOnce _cluster = new(cluster);
    private readonly ConvertedOnce _parameters = new(parameters);

    internal object? Cluster(Func<JToken, object?> convert) => _cluster.Get(convert);

    internal object? Parameters(Func<JToken, object?> convert) => _parameters.Get(convert);
}

/// <summary>A JSON tree in the language's value form, converted on first use however many rules read it.</summary>
internal sealed class ConvertedOnce(JToken? token)
{
    private object? _value;
    private bool _done;

    public object? Get(Func<JToken, object?> convert)
    {
        if (!_done)
        {
            _value = token is null ? null : convert(token);
            _done = true;
        }
        return _value;
    }
}

/// <summary>
/// What a rule sees: the document as written (before defaults), its kind and name, its file and folder relative
/// to the repository's root (<c>network/vips.yaml</c>, <c>network/</c>), and the <see cref="RuleContext"/>.
/// </summary>
public sealed class RuleInput(JToken document, string kind, string name, string file, RuleContext? context = null)
{
    private readonly ConvertedOnce _converted = new(document);

    public JToken Document { get; } = document;

    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public string File { get; } = file;

    public string Folder { get; } = file.LastIndexOf('/') is var slash and >= 0 ? file[..(slash + 1)] : "";

    public RuleContext Context { get; } = context ?? RuleContext.Empty;

    /// <summary>The document in the language's own value form, converted once however many rules read it.</summary>
    internal object? Converted(Func<JToken, object?> convert) => _converted.Get(convert);
}
