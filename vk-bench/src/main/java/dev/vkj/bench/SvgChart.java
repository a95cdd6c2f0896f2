package dev.vkj.bench;

import java.util.List;
import java.util.Locale;

/**
 * A small hand-rendered SVG line chart: panels side by side, each with categorical x values (pod
 * counts or rates) and one line per series. No dependency; the output is stable for the same input.
 */
final class SvgChart {
  private static final int PANEL_W = 380;
  private static final int PANEL_H = 260;
  private static final int LEFT = 60;
  private static final int TOP = 40;
  private static final int PLOT_W = 290;
  private static final int PLOT_H = 170;

  /** One line: a name for the legend, a colour, dashed or not, one value per x (NaN = no point). */
  record Series(String name, String color, boolean dashed, double[] values) {}

  /** One panel: a title, the y axis unit, the x labels and the lines. */
  record Panel(String title, String yUnit, List<String> x, List<Series> series) {}

  private SvgChart() {}

  static String render(String title, List<Panel> panels) {
    int width = Math.max(1, panels.size()) * PANEL_W;
    int height = PANEL_H + 30;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n",
            width,
            height,
            width,
            height));
    svg.append(
        String.format(
            Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"18\" font-size=\"14\" text-anchor=\"middle\">%s</text>%n",
            width / 2,
            escape(title)));
    for (int i = 0; i < panels.size(); i++) {
      panel(svg, panels.get(i), i * PANEL_W, 20);
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(StringBuilder svg, Panel p, int ox, int oy) {
    double max = 0;
    for (Series s : p.series()) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    double top = niceCeiling(max);
    int x0 = ox + LEFT;
    int y0 = oy + TOP + PLOT_H;
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>%n",
            x0 + PLOT_W / 2,
            oy + 18,
            escape(p.title())));
    for (int t = 0; t <= 4; t++) {
      double v = top * t / 4;
      int y = y0 - (int) Math.round(PLOT_H * t / 4.0);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
              x0,
              y,
              x0 + PLOT_W,
              y,
              x0 - 4,
              y + 4,
              label(v)));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">%s</text>%n",
            ox + 14,
            y0 - PLOT_H / 2,
            ox + 14,
            y0 - PLOT_H / 2,
            escape(p.yUnit())));
    int n = p.x().size();
    for (int i = 0; i < n; i++) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              xAt(x0, i, n),
              y0 + 14,
              escape(p.x().get(i))));
    }
    int legendY = y0 + 30;
    for (int k = 0; k < p.series().size(); k++) {
      Series s = p.series().get(k);
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < Math.min(n, s.values().length); i++) {
        double v = s.values()[i];
        if (!Double.isFinite(v)) {
          continue;
        }
        int x = xAt(x0, i, n);
        int y = y0 - (int) Math.round(top == 0 ? 0 : PLOT_H * v / top);
        points.append(x).append(',').append(y).append(' ');
        svg.append(
            String.format(
                Locale.ROOT,
                "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>%n",
                x,
                y,
                escape(s.color())));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n",
              escape(s.color()),
              s.dashed() ? " stroke-dasharray=\"5,3\"" : "",
              points.toString().strip()));
      int lx = x0 + (k % 2) * (PLOT_W / 2);
      int ly = legendY + (k / 2) * 14;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>%n",
              lx,
              ly - 4,
              lx + 18,
              ly - 4,
              escape(s.color()),
              s.dashed() ? " stroke-dasharray=\"5,3\"" : "",
              lx + 22,
              ly,
              escape(s.name())));
    }
  }

  private static int xAt(int x0, int i, int n) {
    return x0 + (int) Math.round(PLOT_W * (i + 0.5) / Math.max(1, n));
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code v}; 1 for 0. */
  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v * (1 - 1e-12)) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String label(double v) {
    return v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2g", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
