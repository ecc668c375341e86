package com.aiinference.loadtest.engine;

import com.aiinference.io.UserFiles;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Which certificates an https target may present: the JDK's trusted authorities (the default), the authorities in a
 * PEM file ({@code --cacert}, e.g. a self-signed gateway certificate), or any ({@code --insecure}: encrypted but not
 * authenticated). Except with {@code --insecure} the certificate must also name the host of the URL (HTTPS
 * endpoint identification: a DNS name, or an IP address for an IP URL).
 *
 * @param authorities the trusted certificates from {@code --cacert}, or empty for the JDK's
 * @param insecure    accept any certificate and any name
 * @param source      where the authorities came from, for messages
 */
public record TlsTrust(List<X509Certificate> authorities, boolean insecure, String source) {
    /** The JDK's trusted authorities and endpoint identification. */
    public static final TlsTrust SYSTEM = new TlsTrust(List.of(), false, "the JDK's trusted authorities");

    public TlsTrust {
        authorities = List.copyOf(authorities);
    }

    /** Accept any certificate: for a quick look at a self-signed endpoint, never for keys that matter. */
    public static TlsTrust anyCertificate() {
        return new TlsTrust(List.of(), true, "--insecure");
    }

    /**
     * The certificates of a PEM file; a missing, unreadable (or not regular, or oversized: {@link UserFiles}) file is
     * one line naming --cacert, a file without a certificate a {@link TargetException}.
     */
    public static TlsTrust caFile(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        byte[] pem = UserFiles.read(file, "--cacert file").getBytes(StandardCharsets.UTF_8);
        try (InputStream in = new ByteArrayInputStream(pem)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        } catch (IOException e) {
            throw new TargetException("--cacert " + file + ": cannot read it (" + e.getMessage() + ")");
        } catch (CertificateException e) {
            throw new TargetException("--cacert " + file + ": not a PEM certificate (" + e.getMessage() + ")");
        }
        if (certs.isEmpty()) {
            throw new TargetException("--cacert " + file + ": holds no certificate");
        }
        return new TlsTrust(certs, false, "--cacert " + file);
    }

    /** The Netty client context for this trust. */
    SslContext clientContext() {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (insecure) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            // Netty 4.1 checks the chain only; the name check is what stops a valid certificate of another host.
            b.endpointIdentificationAlgorithm("HTTPS");
            if (!authorities.isEmpty()) {
                b.trustManager(authorities);
            }
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }
}
