using System.Globalization;
using System.Text;

namespace Vigil.Import.KeepalivedConf;

/// <summary>One line as keepalived's parser hands it on: comments gone, definitions substituted, braces on lines of their own.</summary>
public sealed record ConfLine(string Text, ConfPosition Position);

/// <summary>
/// keepalived 2.2's line reader (lib/parser.c read_line), written again: <c>include</c> (globs, relative to the
/// including file), comments (<c>#</c> and <c>!</c> anywhere outside double quotes, <c>\#</c> <c>\!</c> for the
/// characters), <c>$NAME=value</c> definitions (multi-line with a trailing <c>\</c>) and <c>$NAME</c>/<c>${NAME}</c>
/// substitution with keepalived's own <c>$_PWD</c> <c>$_INSTANCE</c> <c>$_HASH</c> <c>$_BANG</c>, <c>@id</c> and
/// <c>@^id</c> lines for one config id (keepalived -i), <c>~SEQ(var, start, step, end)</c> repetition, and a
/// line split before and after every brace outside quotes.
/// </summary>
public sealed class ConfLineReader
{
    private const int MaxIncludeDepth = 32;
    private const int MaxSubstitutions = 1000;
    private const int MaxSequence = 100_000;

    /// <summary>Lines processed in all, definitions and sequences expanded included: nested ones multiply (hostile input).</summary>
    private const int MaxLines = 1_000_000;

    private sealed record Definition(List<string> Lines);

    private readonly IConfFiles _files;
    private readonly string? _configId;
    private readonly List<ConfDiagnostic> _diagnostics = [];
    private readonly Dictionary<string, Definition> _definitions = new(StringComparer.Ordinal);
    private readonly Stack<string> _open = new();
    private readonly List<string> _read = [];
    private int _processed;

    /// <param name="configId">keepalived's -i: which <c>@id</c> lines apply (none of them when null).</param>
    public ConfLineReader(IConfFiles files, string? configId)
    {
        _files = files;
        _configId = configId;
    }

    public IReadOnlyList<ConfDiagnostic> Diagnostics => _diagnostics;

    /// <summary>Every file read, the main one first, in the order they were opened.</summary>
    public IReadOnlyList<string> FilesRead => _read;

    public IEnumerable<ConfLine> Read(string path)
    {
        var text = _files.Read(path, out var error);
        if (text is null)
        {
            _diagnostics.Add(new ConfDiagnostic(new ConfPosition(path, 0), $"cannot read the file: {error}"));
            return [];
        }
        return ReadText(path, text);
    }

    private IEnumerable<ConfLine> ReadText(string path, string text)
    {
        _open.Push(path);
        _read.Add(path);
        try
        {
            var lines = text.Split('\n');
            Definition? continuing = null;
            for (var i = 0; i < lines.Length; i++)
            {
                var position = new ConfPosition(path, i + 1);
                var raw = lines[i].TrimEnd('\r');
                if (raw.Contains('\0', StringComparison.Ordinal))
                {
                    _diagnostics.Add(new ConfDiagnostic(position, "the line has a NUL character: keepalived ignores it"));
                    continue;
                }
                if (raw.Length == 0)
                {
                    continuing = null; // a blank line ends a multi-line definition
                    continue;
                }
                var line = Decomment(raw, position);
                if (line.Length == 0)
                {
                    continue;
                }
                if (continuing is not null)
                {
                    var more = line.EndsWith('\\');
                    var part = more ? line[..^1].TrimEnd(' ', '\t') : line;
                    if (part.Length > 0)
                    {
                        continuing.Lines.Add(part);
                    }
                    if (!more)
                    {
                        continuing = null;
                    }
                    continue;
                }
                foreach (var produced in Process(line, position, depth: 0))
                {
                    if (produced.Definition is { } started)
                    {
                        continuing = started;
                    }
                    else
                    {
                        yield return produced.Line!;
                    }
                }
            }
        }
        finally
        {
            _open.Pop();
        }
    }

    /// <summary>What processing one line gave: lines for the parser, or the start of a multi-line definition.</summary>
    private readonly record struct Produced(ConfLine? Line, Definition? Definition);

    private IEnumerable<Produced> Process(string line, ConfPosition position, int depth)
    {
        if (++_processed > MaxLines)
        {
            if (_processed == MaxLines + 1)
            {
                _diagnostics.Add(new ConfDiagnostic(position, $"the configuration expands to more than {MaxLines:N0} lines: the rest is not read"));
            }
            yield break;
        }
        if (depth > MaxIncludeDepth)
        {
            _diagnostics.Add(new ConfDiagnostic(position, "definitions or sequences nest too deeply"));
            yield break;
        }
        if (line.StartsWith('@'))
        {
            var reverse = line.Length > 1 && line[1] == '^';
            var from = reverse ? 2 : 1;
            var blank = line.IndexOfAny([' ', '\t'], from);
            if (blank < 0)
            {
                yield break;
            }
            var matches = _configId is not null && line[from..blank] == _configId;
            if (matches == reverse)
            {
                yield break;
            }
            line = line[blank..].TrimStart(' ', '\t');
        }
        if (line.StartsWith('$') && TryDefine(line) is { } defined)
        {
            if (defined.Multiline)
            {
                yield return new Produced(null, defined.Definition);
            }
            yield break;
        }
        if (line.StartsWith("~SEQ", StringComparison.Ordinal))
        {
            foreach (var produced in Sequence(line, position, depth))
            {
                yield return produced;
            }
            yield break;
        }
        if (line.StartsWith("~LST", StringComparison.Ordinal))
        {
            _diagnostics.Add(new ConfDiagnostic(position, "~LST is not read by vigil import: write the lines out"));
            yield break;
        }
        IReadOnlyList<string> following = [];
        if (!line.StartsWith('~') && line.Contains('$', StringComparison.Ordinal))
        {
            var (replaced, more, changed) = Substitute(line, position);
            if (changed)
            {
                line = Decomment(replaced, position);
                following = more;
            }
        }
        if (line.Length > 0)
        {
            foreach (var produced in IncludeOrSplit(line, position, depth))
            {
                yield return produced;
            }
        }
        foreach (var next in following)
        {
            foreach (var produced in Process(next, position, depth + 1))
            {
                yield return produced;
            }
        }
    }

    private IEnumerable<Produced> IncludeOrSplit(string line, ConfPosition position, int depth)
    {
        if (IncludePattern(line) is { } pattern)
        {
            foreach (var included in Include(pattern, position))
            {
                yield return new Produced(included, null);
            }
            yield break;
        }
        var brace = FirstBraceOutsideQuotes(line);
        if (brace < 0)
        {
            yield return new Produced(new ConfLine(line, position), null);
            yield break;
        }
        string residue;
        if (brace == 0)
        {
            yield return new Produced(new ConfLine(line[..1], position), null);
            residue = line[1..].Trim(' ', '\t');
        }
        else
        {
            yield return new Produced(new ConfLine(line[..brace].TrimEnd(' ', '\t'), position), null);
            residue = line[brace..].TrimEnd(' ', '\t');
        }
        if (residue.Length > 0)
        {
            // keepalived reads what follows a brace as the next line: conditionals and definitions apply to it again.
            foreach (var produced in Process(residue, position, depth))
            {
                yield return produced;
            }
        }
    }

    private static int FirstBraceOutsideQuotes(string line)
    {
        if (line[0] is '{' or '}')
        {
            return 0;
        }
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                var close = line.IndexOf('"', i + 1);
                if (close < 0)
                {
                    return -1;
                }
                i = close;
            }
            else if (line[i] is '{' or '}')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>keepalived's include, includer, includem, includew, includeb, includea (all read the same here).</summary>
    private static string? IncludePattern(string line)
    {
        if (!line.StartsWith("include", StringComparison.Ordinal) || line.Length < 9)
        {
            return null;
        }
        var at = line[7] is ' ' or '\t' ? 8 : "rmwba".Contains(line[7], StringComparison.Ordinal) && line[8] is ' ' or '\t' ? 9 : -1;
        return at < 0 ? null : line[at..].TrimStart(' ', '\t');
    }

    private IEnumerable<ConfLine> Include(string pattern, ConfPosition position)
    {
        if (_open.Count >= MaxIncludeDepth)
        {
            _diagnostics.Add(new ConfDiagnostic(position, $"include {pattern}: includes nest more than {MaxIncludeDepth} deep"));
            yield break;
        }
        var absolute = pattern.StartsWith('/') ? pattern : Path.Combine(Path.GetDirectoryName(position.File) ?? "/", pattern);
        var matches = _files.Glob(absolute);
        if (matches.Count == 0)
        {
            _diagnostics.Add(new ConfDiagnostic(position, $"include {pattern}: no matching file"));
            yield break;
        }
        foreach (var file in matches)
        {
            if (_open.Contains(file))
            {
                _diagnostics.Add(new ConfDiagnostic(position, $"include {pattern}: {file} includes itself"));
                continue;
            }
            var text = _files.Read(file, out var error);
            if (text is null)
            {
                _diagnostics.Add(new ConfDiagnostic(position, $"include {pattern}: cannot read {file}: {error}"));
                continue;
            }
            foreach (var line in ReadText(file, text))
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// keepalived's decomment(): leading blanks off; cut at the first <c>#</c> or <c>!</c> outside double quotes;
    /// <c>\#</c> and <c>\!</c> outside quotes lose their backslash; a trailing backslash stays (it continues a
    /// definition); trailing blanks off.
    /// </summary>
    public string Decomment(string raw, ConfPosition position)
    {
        var text = new StringBuilder(raw.TrimStart(' ', '\t'));
        var quote = false;
        var continues = false;
        var cut = -1;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    if (cut < 0)
                    {
                        quote = !quote;
                    }
                    break;
                case '\\' when i + 1 == text.Length:
                    text.Length = i;
                    continues = true;
                    break;
                case '\\':
                    if (!quote && text[i + 1] is '#' or '!')
                    {
                        text.Remove(i, 1);
                    }
                    else
                    {
                        i++;
                    }
                    break;
                case '#' or '!' when !quote && cut < 0:
                    cut = i;
                    break;
            }
        }
        if (quote)
        {
            _diagnostics.Add(new ConfDiagnostic(position, $"unterminated quote in {ConfWords.LineOf(raw)}"));
        }
        if (cut >= 0)
        {
            text.Length = cut;
        }
        var result = text.ToString().TrimEnd(' ', '\t');
        return continues ? result + "\\" : result;
    }

    private (Definition Definition, bool Multiline)? TryDefine(string line)
    {
        if (line.Length < 2 || !(char.IsAsciiLetter(line[1]) || line[1] == '_'))
        {
            return null;
        }
        var equals = 2;
        while (equals < line.Length && line[equals] != '=')
        {
            if (!(char.IsAsciiLetterOrDigit(line[equals]) || line[equals] == '_'))
            {
                return null;
            }
            equals++;
        }
        if (equals == line.Length)
        {
            return null;
        }
        var name = line[1..equals];
        var value = line[(equals + 1)..].TrimStart(' ', '\t');
        var multiline = value.EndsWith('\\');
        if (multiline)
        {
            value = value[..^1].TrimEnd(' ', '\t');
        }
        var definition = new Definition(value.Length > 0 || !multiline ? [value] : []);
        _definitions[name] = definition;
        return (definition, multiline);
    }

    /// <summary>Replaces every $NAME and ${NAME} that names a definition; a multi-line definition's other lines follow.</summary>
    private (string Text, IReadOnlyList<string> Following, bool Changed) Substitute(string line, ConfPosition position)
    {
        var text = line;
        var following = new List<string>();
        var changed = false;
        var count = 0;
        var at = text.IndexOf('$', StringComparison.Ordinal);
        while (at >= 0 && at + 1 < text.Length)
        {
            if (Reference(text, at, position) is not { } reference)
            {
                at = text.IndexOf('$', at + 1);
                continue;
            }
            if (++count > MaxSubstitutions)
            {
                _diagnostics.Add(new ConfDiagnostic(position, $"definitions expand without end in {ConfWords.LineOf(line)}"));
                break;
            }
            changed = true;
            var (length, lines) = reference;
            text = text[..at] + (lines.Count > 0 ? lines[0] : "") + text[(at + length)..];
            following.InsertRange(0, lines.Skip(1));
            if (lines.Count > 0 && lines[0].TrimStart(' ', '\t').StartsWith('~'))
            {
                break;
            }
            at = text.IndexOf('$', at); // what was put in is read again, as keepalived does
        }
        return (text, following, changed);
    }

    /// <summary>The definition a $ at <paramref name="at"/> names: how much text the reference takes and its value's lines.</summary>
    private (int Length, IReadOnlyList<string> Lines)? Reference(string text, int at, ConfPosition position)
    {
        var braces = text[at + 1] == '{';
        var start = at + (braces ? 2 : 1);
        if (start >= text.Length || !(char.IsAsciiLetter(text[start]) || text[start] == '_'))
        {
            return null;
        }
        var end = start + 1;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }
        var name = text[start..end];
        int length;
        string? parameters = null;
        if (braces)
        {
            var close = text.IndexOf('}', end);
            if (close < 0 || text[end..close].Any(c => c is not (' ' or (>= '0' and <= '9'))) || text[end..close].EndsWith(' '))
            {
                return null;
            }
            parameters = text[end..close].Trim();
            length = close + 1 - at;
        }
        else
        {
            if (end < text.Length && text[end] is not (' ' or '\t' or ',' or ')'))
            {
                return null;
            }
            length = end - at;
        }
        var atEnd = at + length == text.Length;
        if (Standard(name, parameters, position) is { } value)
        {
            return (length, [value]);
        }
        if (!_definitions.TryGetValue(name, out var definition) || (!string.IsNullOrEmpty(parameters)) || (definition.Lines.Count > 1 && !atEnd))
        {
            return null;
        }
        return (length, definition.Lines);
    }

    /// <summary>keepalived's own definitions, unless the configuration defined one of the same name.</summary>
    private string? Standard(string name, string? parameters, ConfPosition position)
    {
        if (_definitions.ContainsKey(name))
        {
            return null;
        }
        switch (name)
        {
            case "_PWD":
                return Path.GetDirectoryName(position.File) ?? "/";
            case "_INSTANCE":
                return _configId ?? "";
            case "_HASH":
                return "#";
            case "_BANG":
                return "!";
            case "_RANDOM":
                var bounds = (parameters ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var low = bounds.Length > 0 ? bounds[0] : "0";
                _diagnostics.Add(new ConfDiagnostic(position, $"$_RANDOM is a different number on every keepalived start: vigil import wrote {low}, the lowest it can be"));
                return low;
            default:
                return null;
        }
    }

    /// <summary>~SEQ(var, end) / (var, start, end) / (var, start, step, end) text, and ~SEQx for hexadecimal values.</summary>
    private IEnumerable<Produced> Sequence(string line, ConfPosition position, int depth)
    {
        var hex = line.Length > 4 && line[4] == 'x';
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close < open || line[(hex ? 5 : 4)..open].Trim().Length > 0)
        {
            _diagnostics.Add(new ConfDiagnostic(position, "invalid ~SEQ: ~SEQ(var, end), ~SEQ(var, start, end) or ~SEQ(var, start, step, end), then the line"));
            yield break;
        }
        var inner = line[(open + 1)..close];
        if (inner.Contains('$', StringComparison.Ordinal))
        {
            inner = Substitute(inner, position).Text;
        }
        var parts = inner.Split(',').Select(p => p.Trim()).ToArray();
        var numbers = parts.Skip(1).Select(ParseNumber).ToArray();
        if (parts.Length is < 2 or > 4 || parts[0].Length == 0 || parts[0].Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')) || numbers.Any(n => n is null))
        {
            _diagnostics.Add(new ConfDiagnostic(position, "invalid ~SEQ: ~SEQ(var, end), ~SEQ(var, start, end) or ~SEQ(var, start, step, end), then the line"));
            yield break;
        }
        var values = numbers.Select(n => n!.Value).ToArray();
        var (from, step, to) = values.Length switch
        {
            1 => (values[0] < 0 ? -1L : 1L, values[0] < 1 ? -1L : 1L, values[0]),
            2 => (values[0], values[0] <= values[1] ? 1L : -1L, values[1]),
            _ => (values[0], values[1], values[2]),
        };
        if (step == 0 || (from < to && step < 0) || (from > to && step > 0) || Math.Abs((to - from) / step) > MaxSequence)
        {
            _diagnostics.Add(new ConfDiagnostic(position, "invalid ~SEQ values: the step must lead from start to end"));
            yield break;
        }
        var text = line[(close + 1)..].TrimStart(' ', '\t');
        for (var value = from; step > 0 ? value <= to : value >= to; value += step)
        {
            _definitions[parts[0]] = new Definition([hex ? value.ToString("x", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture)]);
            foreach (var produced in Process(text, position, depth + 1))
            {
                yield return produced;
            }
        }
    }

    /// <summary>strtol with base 0: decimal, 0x hexadecimal, leading 0 octal.</summary>
    private static long? ParseNumber(string text)
    {
        var negative = text.StartsWith('-');
        var digits = negative || text.StartsWith('+') ? text[1..] : text;
        long value;
        var ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : digits.Length > 1 && digits[0] == '0'
                ? TryOctal(digits, out value)
                : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok ? negative ? -value : value : null;
    }

    private static bool TryOctal(string digits, out long value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '7' || value > long.MaxValue / 8)
            {
                return false;
            }
            value = (value * 8) + (c - '0');
        }
        return true;
    }
}
