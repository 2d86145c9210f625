namespace Vigil.Source.Git.Signatures;

/// <summary>
/// OpenPGP ASCII armor (RFC 4880 section 6.2): the base64 between the BEGIN and END lines, after the armor headers
/// and without the checksum line, is the binary form gpgv reads as a keyring. Several blocks in one file are all read.
/// </summary>
public static class ArmoredKeys
{
    public static byte[] Dearmor(string text)
    {
        var output = new List<byte>();
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("-----BEGIN PGP", StringComparison.Ordinal))
            {
                continue;
            }
            // Armor headers ("Comment: ...") end at the first empty line.
            var j = i + 1;
            while (j < lines.Length && lines[j].Trim().Length > 0 && lines[j].Contains(':', StringComparison.Ordinal))
            {
                j++;
            }
            var body = new System.Text.StringBuilder();
            for (; j < lines.Length && !lines[j].StartsWith("-----END PGP", StringComparison.Ordinal); j++)
            {
                var line = lines[j].Trim();
                if (line.Length > 0 && !line.StartsWith('='))
                {
                    body.Append(line);
                }
            }
            output.AddRange(Convert.FromBase64String(body.ToString()));
            i = j;
        }
        return [.. output];
    }
}
