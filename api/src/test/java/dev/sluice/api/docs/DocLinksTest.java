package dev.sluice.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.docs.DocPages.Line;
import dev.sluice.api.docs.DocPages.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md and docs/*.md names a file that exists, and every {@code
 * #anchor} a heading of that file (GitHub's anchors). Links inside code are not links; {@code
 * http(s):} and {@code mailto:} links are not checked.
 */
class DocLinksTest {

  private static final Pattern LINK =
      Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

  @Test
  void everyRelativeLinkNamesAFileAndEveryAnchorAHeading() {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Page page : DocPages.all()) {
      for (Line line : page.prose()) {
        Matcher link = LINK.matcher(line.text().replaceAll("`[^`]*`", "``"));
        while (link.find()) {
          String target = link.group(1);
          if (target.matches("(?i)(https?|mailto):.*")) {
            continue;
          }
          checked++;
          String problem = problem(page, target);
          if (problem != null) {
            broken.add(line.where() + ": link (" + target + ") " + problem);
          }
        }
      }
    }
    assertThat(checked).as("relative links found").isGreaterThan(20);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void anchorsFollowGithubsSlugRules() {
    assertThat(DocPages.slug("Release pipeline (`/api/v1/releases`)"))
        .isEqualTo("release-pipeline-apiv1releases");
    assertThat(DocPages.slug("Controls, retries and what a deployment waits for"))
        .isEqualTo("controls-retries-and-what-a-deployment-waits-for");
    assertThat(DocPages.slug("Deployer: `ssm`")).isEqualTo("deployer-ssm");
    assertThat(DocPages.slug("Metrics — CloudWatch")).isEqualTo("metrics--cloudwatch");
  }

  private static String problem(Page page, String target) {
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved =
        file.isEmpty() ? page.file() : page.file().getParent().resolve(file).normalize();
    if (!Files.exists(resolved)) {
      return "names " + page.root().relativize(resolved) + ", which does not exist";
    }
    if (anchor == null) {
      return null;
    }
    if (!resolved.toString().endsWith(".md")) {
      return "has an anchor into a file that is not Markdown";
    }
    List<String> anchors = Page.read(page.root(), resolved).anchors();
    if (!anchors.contains(anchor)) {
      return "names #"
          + anchor
          + ", which is no heading of "
          + page.root().relativize(resolved)
          + " (its anchors: "
          + anchors
          + ")";
    }
    return null;
  }
}
