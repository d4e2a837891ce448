using SocketDaemon.Configuration;
namespace SocketDaemon.Tests.Configuration;

public class NearestNameTests
{
    [Theory]
    [InlineData("MaxMesageBytes", "MaxMessageBytes")]
    [InlineData("Pipline", "Pipeline")]
    [InlineData("framing", "Framing")]
    [InlineData("Lsiteners", "Listeners")]
    public void A_typo_finds_the_key_it_was_meant_to_be(string typo, string meant) =>
        Assert.Equal(meant, NearestName.Find(typo, ["MaxMessageBytes", "Pipeline", "Framing", "Listeners", "Limits"]));

    [Fact]
    public void A_name_like_none_finds_nothing() =>
        Assert.Null(NearestName.Find("Colour", ["MaxMessageBytes", "Pipeline", "Framing"]));
}
