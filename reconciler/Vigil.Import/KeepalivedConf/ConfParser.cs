namespace Vigil.Import.KeepalivedConf;

/// <summary>
/// keepalived.conf into statements and blocks: a line that is only <c>{</c> opens the block of the statement just
/// before it, <c>}</c> closes it. Which keywords may have blocks is the reader's business (see the importer); this
/// only keeps the structure and where each piece came from.
/// </summary>
public static class ConfParser
{
    private sealed class Open(ConfStatement? owner)
    {
        public ConfStatement? Owner { get; } = owner;
        public List<ConfStatement> Statements { get; } = [];
        public bool LastCanOpen { get; set; }
    }

    /// <summary>Reads <paramref name="path"/> and everything it includes.</summary>
    /// <param name="configId">keepalived -i: which <c>@id</c> lines apply.</param>
    public static ConfDocument Parse(IConfFiles files, string path, string? configId)
    {
        var reader = new ConfLineReader(files, configId);
        var diagnostics = new List<ConfDiagnostic>();
        var statements = Parse(reader.Read(path), diagnostics);
        return new ConfDocument(statements, [.. reader.Diagnostics, .. diagnostics]);
    }

    public static IReadOnlyList<ConfStatement> Parse(IEnumerable<ConfLine> lines, List<ConfDiagnostic> diagnostics)
    {
        var stack = new Stack<Open>();
        stack.Push(new Open(null));
        foreach (var line in lines)
        {
            var current = stack.Peek();
            if (line.Text == "{")
            {
                if (current.LastCanOpen)
                {
                    current.LastCanOpen = false;
                    stack.Push(new Open(current.Statements[^1]));
                }
                else
                {
                    diagnostics.Add(new ConfDiagnostic(line.Position, "'{' with no keyword before it"));
                    stack.Push(new Open(null));
                }
                continue;
            }
            if (line.Text == "}")
            {
                if (stack.Count == 1)
                {
                    diagnostics.Add(new ConfDiagnostic(line.Position, "extra '}' found"));
                    continue;
                }
                Close(stack);
                continue;
            }
            var words = ConfWords.Plain(line.Text, out var error);
            if (error is not null)
            {
                diagnostics.Add(new ConfDiagnostic(line.Position, error));
            }
            if (words.Count == 0)
            {
                current.LastCanOpen = false;
                continue;
            }
            current.Statements.Add(new ConfStatement(words, line.Text, line.Position, null));
            current.LastCanOpen = true;
        }
        while (stack.Count > 1)
        {
            var owner = stack.Peek().Owner;
            diagnostics.Add(new ConfDiagnostic(owner?.Position ?? new ConfPosition("", 0),
                $"the block of '{owner?.Keyword ?? "{"}' has no closing '}}'"));
            Close(stack);
        }
        return stack.Pop().Statements;
    }

    private static void Close(Stack<Open> stack)
    {
        var closed = stack.Pop();
        var parent = stack.Peek();
        if (closed.Owner is null)
        {
            return; // a block nobody owns: its statements go nowhere, as keepalived skips them
        }
        var index = parent.Statements.LastIndexOf(closed.Owner);
        parent.Statements[index] = closed.Owner with { Block = closed.Statements };
    }
}
