# Email untuk admin bisnis. Setiap email terdiri dari subjek dan paragraf; { $link } dan placeholder
# { $name } lainnya diisi oleh portal. Biarkan apa adanya.

mail-greeting = Halo,
mail-signature = — { $partner }
mail-footer = Anda menerima email ini karena alamat ini dicantumkan saat menghubungkan Akun WhatsApp Business di halaman pendaftaran { $partner }.
mail-unsubscribe = Berhenti menerima email ini: { $link }

mail-status-link-subject = Penyiapan WhatsApp Anda dengan { $partner }
mail-status-link-intro = Terima kasih telah menghubungkan Akun WhatsApp Business Anda dengan { $partner }. Halaman ini menampilkan setiap langkah penyiapan sampai Anda dapat mengirim pesan pemasaran, dan diperbarui secara otomatis:
mail-status-link-keep = Simpan email ini: lewat tautannya Anda bisa kembali ke halaman tersebut.

mail-action-subject = Perlu tindakan untuk penyiapan WhatsApp Anda
mail-action-intro = Meta memerlukan sesuatu dari Anda sebelum Anda dapat mengirim pesan pemasaran:
mail-action-status = Halaman status Anda berisi informasi lebih lengkap dan diperbarui secara otomatis:

mail-action-payment = Tambahkan metode pembayaran yang valid ke Akun WhatsApp Business Anda di Meta Business Suite (Penagihan & pembayaran).
mail-action-terms = Terima ketentuan Marketing Messages API yang ditampilkan Meta kepada Anda di WhatsApp Manager atau Meta Business Suite.
mail-action-reconnect = Nomor WhatsApp Anda terputus setelah pergantian ponsel atau pendaftaran ulang. Buka aplikasi WhatsApp Business di ponsel Anda dan hubungkan kembali.
mail-action-restricted = Meta telah membatasi akun ini. Periksa Business Support Home di Meta Business Suite dan selesaikan pembatasannya.

mail-ready-subject = Anda siap mengirim pesan pemasaran WhatsApp
mail-ready-intro = Akun WhatsApp Business Anda { $account } sudah siap: sekarang Anda dapat mengirim pesan pemasaran melalui { $partner }.
mail-ready-status = Halaman status Anda:
