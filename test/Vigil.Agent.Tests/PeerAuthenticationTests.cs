using System.Text;
using Vigil.Agent.Peers;

namespace Vigil.Agent.Tests;

/// <summary>Peer-status signatures on plain values and fake time: what is answered, and every way a request is refused.</summary>
public sealed class PeerAuthenticationTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a shared key of the lab cluster");
    private readonly ManualTimeProvider _time = new();

    private string? Check((string Time, string Nonce, string Signature) signed, byte[]? key = null, string path = PeerStatusServer.Path,
        PeerAuthentication? authentication = null) =>
        (authentication ?? new PeerAuthentication(_time)).Refusal(key ?? Key, "GET", path, signed.Time, signed.Nonce, signed.Signature);

    [Fact]
    public void ASignedRequest_IsAnswered()
    {
        Assert.Null(Check(PeerAuthentication.Sign(Key, "GET", PeerStatusServer.Path, _time.GetUtcNow())));
    }

    [Fact]
    public void AnotherKey_IsRefused() =>
        Assert.Equal("bad signature (another key, or the request was changed)",
            Check(PeerAuthentication.Sign(Encoding.UTF8.GetBytes("somebody else's key, long enough"), "GET", PeerStatusServer.Path, _time.GetUtcNow())));

    [Fact]
    public void AnotherPath_IsRefused() =>
        Assert.StartsWith("bad signature", Check(PeerAuthentication.Sign(Key, "GET", PeerStatusServer.Path, _time.GetUtcNow()), path: "/v1/other"), StringComparison.Ordinal);

    [Theory]
    [InlineData(29, false)]
    [InlineData(31, true)]
    [InlineData(-31, true)]
    public void ARequestFromAnotherTime_IsRefusedPastTheSkew(int seconds, bool refused)
    {
        var signed = PeerAuthentication.Sign(Key, "GET", PeerStatusServer.Path, _time.GetUtcNow().AddSeconds(seconds));
        Assert.Equal(refused, Check(signed)?.StartsWith("request time", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public void AReplayedRequest_IsRefused()
    {
        var authentication = new PeerAuthentication(_time);
        var signed = PeerAuthentication.Sign(Key, "GET", PeerStatusServer.Path, _time.GetUtcNow());
        Assert.Null(Check(signed, authentication: authentication));
        Assert.Equal("nonce already used (a replay)", Check(signed, authentication: authentication));
    }

    [Fact]
    public void AnUnsignedRequest_IsRefused() =>
        Assert.Equal("unsigned request", new PeerAuthentication(_time).Refusal(Key, "GET", PeerStatusServer.Path, null, null, null));

    [Fact]
    public void AnAnswer_IsBoundToItsRequestAndBody()
    {
        var body = "{\"node\":\"ka2\"}"u8.ToArray();
        var signature = PeerAuthentication.SignAnswer(Key, "00112233445566778899aabbccddeeff", body);
        Assert.True(PeerAuthentication.AnswerIsSigned(Key, "00112233445566778899aabbccddeeff", body, signature));
        Assert.False(PeerAuthentication.AnswerIsSigned(Key, "ffeeddccbbaa99887766554433221100", body, signature));
        Assert.False(PeerAuthentication.AnswerIsSigned(Key, "00112233445566778899aabbccddeeff", "{\"node\":\"ka3\"}"u8.ToArray(), signature));
        Assert.False(PeerAuthentication.AnswerIsSigned(Encoding.UTF8.GetBytes("somebody else's key, long enough"), "00112233445566778899aabbccddeeff", body, signature));
        Assert.False(PeerAuthentication.AnswerIsSigned(Key, "00112233445566778899aabbccddeeff", body, null));
    }
}
